# A real LMTP client for the tests: Python's smtplib.LMTP (LHLO, MAIL, RCPT, DATA). smtplib reads one reply
# after DATA; LMTP sends one per accepted recipient, so the rest are read with getreply(). Input and output
# are JSON: {"from", "rcpts", "data" (hex), "mail_options", "starttls_cafile"?} -> {"features", "mail",
# "rcpt", "data", and with STARTTLS "tls": {"features_before", "version", "peer_sha256"}}. With
# starttls_cafile it upgrades before MAIL, verifying the server's certificate against that file for "localhost".
import hashlib
import json
import smtplib
import ssl
import sys

host, port = sys.argv[1], int(sys.argv[2])
spec = json.load(sys.stdin)
cafile = spec.get("starttls_cafile")
client = smtplib.LMTP("localhost" if cafile else host, port)
client.ehlo("mx.client.test")
out = {}
if cafile:
    before = dict(client.esmtp_features)
    client.starttls(context=ssl.create_default_context(cafile=cafile))
    client.ehlo("mx.client.test")  # RFC 3207: the session starts over after the upgrade
    peer = client.sock.getpeercert(binary_form=True)
    out["tls"] = {
        "features_before": before,
        "version": client.sock.version(),
        "peer_sha256": hashlib.sha256(peer).hexdigest(),
    }
out["features"] = client.esmtp_features
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
