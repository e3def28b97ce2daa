// What a TLS server shows a client, for tests of certificates (generated, configured, reloaded on SIGHUP).
import { connect } from "node:tls";

/** The SHA-256 fingerprint of the certificate the TLS server on 127.0.0.1:`port` presents. */
export function presentedCertificate(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: "127.0.0.1", rejectUnauthorized: false }, () => {
      resolve(s.getPeerX509Certificate()!.fingerprint256);
      s.destroy();
    });
    s.on("error", reject);
  });
}
