// Quectel BG96 (LTE-M/NB-IoT). TLS: AT+QSSL* on SSL context 0, client 0, PDP context 1; plain TCP:
// AT+QI* on connection 0. Both in buffer mode: a URC says data wait, AT+QSSLRECV/AT+QIRD fetch them.
// The PDP context must already be active (AT+QICSGP / AT+QIACT): bringing the network up is not a
// transport's job.
import type { Profile, Step } from './transport.js';

export const bg96: Profile = {
  rdy: 'RDY',
  link(o, log, files) {
    const t = o.tls;
    const k = t ? 'QSSL' : 'QI';
    const cfg = 'AT+QSSLCFG="';
    const st: Step[] = [{ c: 'ATE0' }];
    if (t) {
      // seclevel: 0 = no verification, 1 = verify the server, 2 = also send a client certificate.
      const lv = o.ca ? (o.cert && o.key ? 2 : 1) : 0;
      // sslversion 3 = TLS 1.2 only; "sni" is missing on old firmware.
      st.push({ c: cfg + 'sslversion",0,3' }, { c: cfg + 'seclevel",0,' + lv }, { c: cfg + 'sni",0,1', o: 1 });
      if (o.servername && o.servername != o.host) log.warn('bg96: the server name checked is the host, not servername');
      const pem: [string, string | undefined][] = [
        ['cacert', o.ca],
        ['clientcert', lv > 1 ? o.cert : undefined],
        ['clientkey', lv > 1 ? o.key : undefined],
      ];
      for (const x of pem) {
        const v = x[1];
        if (!v) continue;
        const f = x[0] + '.pem';
        // Files stay in the modem's flash across reboots; upload only what changed (flash wears).
        // AT+QFUPL refuses to overwrite, hence the delete, which fails when there is nothing to delete.
        if (files[f] !== v)
          st.push(
            { c: 'AT+QFDEL="' + f + '"', o: 1 },
            {
              c: 'AT+QFUPL="' + f + '",' + v.length + ',10',
              p: v,
              // "+QFUPL: <size>,<checksum>"
              v: (l) => {
                if (+l.split(/[ ,]/)[1]! != v.length) return 'upload of ' + f + ' failed: ' + l;
                files[f] = v;
              },
            },
          );
        st.push({ c: cfg + x[0] + '",0,"' + f + '"' });
      }
    }
    const hp = ',"' + o.host + '",' + o.port;
    st.push({
      c: t ? 'AT+QSSLOPEN=1,0,0' + hp + ',0' : 'AT+QIOPEN=1,0,"TCP"' + hp + ',0,0',
      // "OK" only accepts the command; "+QSSLOPEN: <id>,<err>" tells how it went.
      f: '+' + k + 'OPEN:',
      v: (l) => {
        const e = l.split(',')[1];
        if (e != '0') return k + 'OPEN error ' + e;
      },
    });
    const u = '+' + k + 'URC: "';
    return {
      steps: st,
      max: 1460,
      send: (n) => 'AT+' + k + 'SEND=0,' + n,
      close: 'AT+' + k + 'CLOSE=0',
      read: t ? 'AT+QSSLRECV=0,1500' : 'AT+QIRD=0,1500',
      hdr: t ? '+QSSLRECV: ' : '+QIRD: ',
      urc: (l) => (l == u + 'recv",0' ? 1 : l == u + 'closed",0' || l.indexOf('"pdpdeact"') > 0 ? 2 : 0),
    };
  },
};
