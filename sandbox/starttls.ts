/**
 * LDAP StartTLS for the sandbox without `node:tls` socket upgrades, which Deno cannot do on a socket
 * that has already exchanged bytes (denoland/deno#33344). The StartTLS extended operation is sent
 * here, the connection is upgraded with `Deno.startTls` (certificate checked against `ca-certs`),
 * and a one-connection loopback relay carries the LDAP session for `ldapts`.
 * @module
 */

const STARTTLS_OID = new TextEncoder().encode("1.3.6.1.4.1.1466.20037");

/** The BER of `ExtendedRequest { requestName: StartTLS }` with message ID 1. */
function startTlsRequest(): Uint8Array {
  const name = [0x80, STARTTLS_OID.length, ...STARTTLS_OID];
  const op = [0x77, name.length, ...name];
  const body = [0x02, 0x01, 0x01, ...op];
  return new Uint8Array([0x30, body.length, ...body]);
}

/** Reads one BER-encoded LDAP message (short or long definite length). */
async function readMessage(conn: Deno.Conn): Promise<Uint8Array> {
  const buf: number[] = [];
  const chunk = new Uint8Array(1024);
  while (true) {
    if (buf.length >= 2) {
      let len = buf[1];
      let header = 2;
      if (len & 0x80) {
        const n = len & 0x7f;
        if (buf.length < 2 + n) len = -1;
        else {
          len = 0;
          for (let i = 0; i < n; i++) len = (len << 8) | buf[2 + i];
          header = 2 + n;
        }
      }
      if (len >= 0 && buf.length >= header + len) return new Uint8Array(buf.slice(0, header + len));
    }
    const n = await conn.read(chunk);
    if (n === null) throw new Error("the server closed the connection during StartTLS");
    buf.push(...chunk.subarray(0, n));
  }
}

/** Extracts the resultCode of an ExtendedResponse (`[APPLICATION 24]`). */
function resultCode(msg: Uint8Array): number {
  // SEQUENCE { INTEGER messageID, [APPLICATION 24] { ENUMERATED resultCode, ... } }
  let i = 1;
  const skipLen = () => {
    const l = msg[i++];
    if (l & 0x80) i += l & 0x7f;
  };
  skipLen();
  if (msg[i++] !== 0x02) throw new Error("unexpected StartTLS response");
  const idLen = msg[i++];
  i += idLen;
  if (msg[i++] !== 0x78) throw new Error("the server did not answer the StartTLS request");
  skipLen();
  if (msg[i++] !== 0x0a) throw new Error("unexpected StartTLS response");
  i++;
  return msg[i];
}

/** A StartTLS-protected connection exposed as a plain loopback endpoint for one client. */
export interface StartTlsRelay {
  /** `ldap://127.0.0.1:<port>` to give ldapts. */
  url: string;
  /** Closes the relay and the TLS connection. */
  close(): void;
}

/** Connects, negotiates StartTLS and returns a relay; throws with the reason on failure. */
export async function startTlsRelay(
  host: string,
  port: number,
  caPem?: string,
): Promise<StartTlsRelay> {
  const conn = await Deno.connect({ hostname: host, port });
  let tlsConn: Deno.TlsConn;
  try {
    await conn.write(startTlsRequest());
    const code = resultCode(await readMessage(conn));
    if (code !== 0) throw new Error(`the server refused StartTLS (LDAP result ${code})`);
    tlsConn = await Deno.startTls(conn, { hostname: host, caCerts: caPem ? [caPem] : undefined });
    await tlsConn.handshake();
  } catch (e) {
    try {
      conn.close();
    } catch {
      // already closed
    }
    throw e;
  }
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let client: Deno.Conn | undefined;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    for (const c of [listener, client, tlsConn]) {
      try {
        c?.close();
      } catch {
        // already closed
      }
    }
  };
  (async () => {
    try {
      client = await listener.accept();
      listener.close();
      await Promise.race([
        client.readable.pipeTo(tlsConn.writable, { preventClose: false }).catch(() => {}),
        tlsConn.readable.pipeTo(client.writable, { preventClose: false }).catch(() => {}),
      ]);
    } catch {
      // relay ends with either side
    } finally {
      close();
    }
  })();
  return { url: `ldap://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`, close };
}
