import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { PageInfo } from "./objects.js";

// The auth log's types: one password check per entry, listed newest first.

export enum AuthAttemptResult {
  SUCCESS = "success",
  FAILURE = "failure",
  LIMITED = "limited",
}
registerEnumType(AuthAttemptResult, {
  name: "AuthAttemptResult",
  description: "LIMITED: refused unchecked by the login limits (the password was not looked at).",
});

export enum AuthAttemptReason {
  PASSWORD = "password",
  PASSWORD_CHANGED = "password-changed",
  WRONG_PASSWORD = "wrong-password",
  UNKNOWN_USER = "unknown-user",
  ACCOUNT_DISABLED = "account-disabled",
  USER_LIMIT = "user-limit",
  IP_LIMIT = "ip-limit",
  USER_BUSY = "user-busy",
  IP_BUSY = "ip-busy",
}
registerEnumType(AuthAttemptReason, {
  name: "AuthAttemptReason",
  valuesConfig: {
    PASSWORD: { description: "Success: the password was right." },
    PASSWORD_CHANGED: {
      description: "Success: changePassword proved the current password and set a new one.",
    },
    ACCOUNT_DISABLED: { description: "The password was right; the account is disabled." },
    USER_LIMIT: { description: "Too many failures for this username in the window." },
    IP_LIMIT: { description: "Too many failures from this client (IPv4 address or IPv6 /64) in the window." },
    USER_BUSY: { description: "Too many password checks for this username running at once." },
    IP_BUSY: { description: "Too many password checks from this client running at once." },
  },
});

export enum AuthProtocolKind {
  GRAPHQL = "graphql",
  POP3 = "pop3",
  IMAP = "imap",
  SUBMISSION = "submission",
}
registerEnumType(AuthProtocolKind, { name: "AuthProtocol" });

@ObjectType({ description: "One password check: a login over any protocol, or a password change." })
export class AuthAttempt {
  @Field(() => ID) id!: string;
  @Field(() => Date) at!: Date;
  @Field(() => String, { description: "The name as the client sent it (at most 256 characters)." })
  username!: string;
  @Field(() => ID, { nullable: true, description: "The account the name belongs to, when there is one." })
  userId!: string | null;
  @Field(() => String, { description: "The client's address as the server's socket saw it." })
  ip!: string;
  @Field(() => AuthProtocolKind) protocol!: AuthProtocolKind;
  @Field(() => AuthAttemptResult) result!: AuthAttemptResult;
  @Field(() => AuthAttemptReason) reason!: AuthAttemptReason;
}

@ObjectType()
export class AuthAttemptEdge {
  @Field(() => AuthAttempt) node!: AuthAttempt;
  @Field(() => String) cursor!: string;
}

@ObjectType({ description: "Auth log entries, newest first." })
export class AuthAttemptConnection {
  @Field(() => [AuthAttemptEdge]) edges!: AuthAttemptEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}
