import { Field, InputType, ObjectType, registerEnumType } from "type-graphql";

// DKIM keys per sending domain (admin): the public half and its DNS record; the private key never leaves the server.

export enum DkimAlgorithm {
  RSA_SHA256 = "rsa-sha256",
  ED25519_SHA256 = "ed25519-sha256",
}
registerEnumType(DkimAlgorithm, {
  name: "DkimAlgorithm",
  valuesConfig: {
    RSA_SHA256: {
      description: "RSA (generated: 2048 bits; imported: 1024-4096), understood by every verifier.",
    },
    ED25519_SHA256: { description: "Ed25519 (RFC 8463): short keys, but not every verifier knows it yet." },
  },
});

@ObjectType({
  description:
    "A sending domain's DKIM key: outgoing mail of the domain and its subdomains is signed with it.",
})
export class DkimKey {
  @Field(() => String, { description: "Lower case, IDN as A-labels (punycode)." })
  domain!: string;
  @Field(() => String) selector!: string;
  @Field(() => DkimAlgorithm) algorithm!: DkimAlgorithm;
  @Field(() => String, { description: "The TXT record's name: selector._domainkey.domain." })
  dnsName!: string;
  @Field(() => String, { description: "The TXT record's value (v=DKIM1; k=...; p=...), whole." })
  dnsValue!: string;
  @Field(() => [String], {
    description: "dnsValue cut into the TXT record's character-strings of at most 255 bytes, in order.",
  })
  dnsTxtStrings!: string[];
  @Field(() => String, { description: 'The record as a zone-file line: name. IN TXT ( "..." "..." ).' })
  dnsZoneLine!: string;
  @Field(() => Date) createdAt!: Date;
}

@InputType({ description: "Generate a key (no privateKeyPem) or import one (privateKeyPem)." })
export class CreateDkimKeyInput {
  @Field(() => String) domain!: string;
  @Field(() => String, { description: "DNS labels: letters, digits, hyphens, dots." })
  selector!: string;
  @Field(() => String, {
    nullable: true,
    description:
      "An unencrypted PEM private key: RSA of 1024-4096 bits or Ed25519. Absent: a new key is generated.",
  })
  privateKeyPem?: string | null;
  @Field(() => DkimAlgorithm, {
    nullable: true,
    description:
      "For a generated key: RSA_SHA256 (the default) or ED25519_SHA256; for an import, the key's type must match.",
  })
  algorithm?: DkimAlgorithm | null;
  @Field(() => Boolean, {
    nullable: true,
    description:
      "Replace the domain's key if it has one (rotation); otherwise an existing key is an ALREADY_EXISTS error.",
  })
  replace?: boolean | null;
}
