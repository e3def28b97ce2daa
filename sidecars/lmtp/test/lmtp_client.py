# A real LMTP client for the tests: Python's smtplib.LMTP (LHLO, MAIL, RCPT, DATA). smtplib reads one reply
# after DATA; LMTP sends one per accepted recipient, so the rest are read with getreply(). Input and output
# are JSON: {"from", "rcpts", "data" (hex), "mail_options"} -> {"features", "mail", "rcpt", "data"}.
import json
import smtplib
import sys

host, port = sys.argv[1], int(sys.argv[2])
spec = json.load(sys.stdin)
client = smtplib.LMTP(host, port)
client.ehlo("mx.client.test")
out = {"features": client.esmtp_features}
code, msg = client.mail(spec["from"], spec.get("mail_options", []))
out["mail"] = [code, msg.decode()]
out["rcpt"] = []
accepted = 0
if code == 250:
    for rcpt in spec["rcpts"]:
        code, msg = client.rcpt(rcpt)
        out["rcpt"].append([code, msg.decode()])
        accepted += code == 250
out["data"] = []
if accepted:
    code, msg = client.data(bytes.fromhex(spec["data"]))
    out["data"].append([code, msg.decode()])
    for _ in range(accepted - 1):
        code, msg = client.getreply()
        out["data"].append([code, msg.decode()])
client.quit()
print(json.dumps(out))
