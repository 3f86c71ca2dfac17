// Quectel BG96 (LTE-M/NB-IoT). TLS: AT+QSSL* on SSL context 0, client 0, PDP context 1; plain TCP:
// AT+QI* on connection 0. Both in buffer mode: a URC says data wait, AT+QSSLRECV/AT+QIRD fetch them.
// The PDP context must already be active (AT+QICSGP / AT+QIACT): bringing the network up is not a
// transport's job.
import type { Profile, Step } from './transport.js';

interface Upload extends Step {
  file_: string;
  files_: Record<string, string>;
}

// Checks made once at load, not per connect: each finds what it needs in its step (`this`).
/** "+QFUPL: <size>,<checksum>": the file is on the modem once its size is right. */
function checkUpload(this: Upload, line: string) {
  const content = this.payload_!;
  if (+line.split(/[ ,]/)[1]! != content.length) return 'upload of ' + this.file_ + ' failed: ' + line;
  this.files_[this.file_] = content;
}

/** "+QSSLOPEN: <id>,<err>" (or +QIOPEN): "OK" only accepted the command; err tells how it went. */
function checkOpen(this: Step, line: string) {
  const error = line.split(',')[1];
  if (error != '0') return this.successPrefix_!.slice(1, -1) + ' error ' + error;
}

export const bg96: Profile = {
  bootLine_: 'RDY',
  link_(o, log, files) {
    const tls = o.tls;
    const family = tls ? 'QSSL' : 'QI';
    const cfg = 'AT+QSSLCFG="';
    const steps: Step[] = [{ command_: 'ATE0' }];
    if (tls) {
      // seclevel: 0 = no verification, 1 = verify the server, 2 = also send a client certificate.
      const level = o.ca ? (o.cert && o.key ? 2 : 1) : 0;
      // sslversion 3 = TLS 1.2 only; "sni" is missing on old firmware.
      steps.push({ command_: cfg + 'sslversion",0,3' }, { command_: cfg + 'seclevel",0,' + level }, { command_: cfg + 'sni",0,1', optional_: 1 });
      if (o.servername && o.servername != o.host) log.warn('bg96: the server name checked is the host, not servername');
      const pem: [string, string | undefined][] = [
        ['cacert', o.ca],
        ['clientcert', level > 1 ? o.cert : undefined],
        ['clientkey', level > 1 ? o.key : undefined],
      ];
      for (const [name, content] of pem) {
        if (!content) continue;
        const file = name + '.pem';
        // Files stay in the modem's flash across reboots; upload only what changed (flash wears).
        // AT+QFUPL refuses to overwrite, hence the delete, which fails when there is nothing to delete.
        if (files[file] !== content) {
          const upload: Upload = { command_: 'AT+QFUPL="' + file + '",' + content.length + ',10', payload_: content, check_: checkUpload, file_: file, files_: files };
          steps.push({ command_: 'AT+QFDEL="' + file + '"', optional_: 1 }, upload);
        }
        steps.push({ command_: cfg + name + '",0,"' + file + '"' });
      }
    }
    const hostPort = ',"' + o.host + '",' + o.port;
    steps.push({
      command_: tls ? 'AT+QSSLOPEN=1,0,0' + hostPort + ',0' : 'AT+QIOPEN=1,0,"TCP"' + hostPort + ',0,0',
      successPrefix_: '+' + family + 'OPEN:',
      check_: checkOpen,
    });
    const urc = '+' + family + 'URC: "';
    return {
      steps_: steps,
      maxSend_: 1460,
      sendCommand_: 'AT+' + family + 'SEND=0,',
      closeCommand_: 'AT+' + family + 'CLOSE=0',
      readCommand_: tls ? 'AT+QSSLRECV=0,1500' : 'AT+QIRD=0,1500',
      readHeader_: tls ? '+QSSLRECV: ' : '+QIRD: ',
      dataUrc_: urc + 'recv",0',
      closedUrc_: urc + 'closed",0',
      networkLostUrc_: '"pdpdeact"',
    };
  },
};
