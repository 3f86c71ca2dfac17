// A Transport over an AT modem that runs TCP and TLS itself (TLS offload): the board only moves
// plaintext over the UART. One link at a time; a profile (esp8266.ts, bg96.ts) knows the commands.
// Memory: writes wait as one byte string, capped by maxQueued, and one send command at a time takes
// what waits, so a burst costs its bytes, not a command object per write. No closure is made per
// connection or command: a command names its socket (owner_) and what it is for (kind_), and
// AtTransport.commandDone_ handles every answer.
import type { Clock, ConnectOptions, Log, Socket, SocketHandlers, Transport } from '../types.js';
import { AtRunner, type AtCommand } from './at.js';
import { parseModemOutput, type LineHandler } from './parser.js';
import type { Serial } from './serial.js';
import { byteStringOf, bytesOf } from '../../firmware/mqtt/codec/utf8.js';

/** One command of a connect sequence. */
export interface Step extends AtCommand {
  /** A failure does not fail the connect (a command older firmware lacks). */
  optional_?: 1;
  /** Checks the result (see AtClient) and returns an error, if any; `this` is the step. */
  check_?(line: string): string | void;
  /** On "ALREADY CONNECTED": close the stale link and try once more. */
  retryWhenAlreadyConnected_?: 1;
}

/** How one connection talks, made by a profile for given options. */
export interface Link {
  /** Setup commands; the last one opens the link. Dropped once queued. */
  steps_?: Step[];
  /** Most bytes one send command takes. */
  maxSend_: number;
  /** The send command without its byte count. */
  sendCommand_: string;
  closeCommand_: string;
  /** Command that fetches waiting data (BG96); unset when data arrive unasked (ESP8266 +IPD). */
  readCommand_?: string;
  /** Start of the line that precedes fetched data and gives its length. */
  readHeader_?: string;
  /** The unsolicited line that says data wait to be fetched. */
  dataUrc_?: string;
  /** The unsolicited line that says the link is gone. */
  closedUrc_: string;
  /** Part of an unsolicited line (not at its start) that says the network, hence the link, is gone. */
  networkLostUrc_?: string;
}

export interface Profile {
  /** The line a modem prints when it (re)boots. */
  bootLine_: string;
  /** files: name -> content already uploaded to the modem by this transport. */
  link_(options: ConnectOptions, log: Log, files: Record<string, string>): Link;
}

export interface AtOptions {
  /** Per command; opening a link may take 6 times this. Default 10 s. */
  timeoutMs?: number;
  log?: Log;
  /**
   * Bytes written but not yet handed to the modem, at most (default 4096); the chunk being sent
   * (at most Link.maxSend_) comes on top. A write that would pass it ends the socket with an error
   * instead of growing the heap: the MQTT client keeps unacknowledged QoS 1 messages and sends
   * them again once it has reconnected (QoS 0 ones may be lost, as QoS 0 allows). One write is
   * always taken when nothing waits, whatever its size.
   */
  maxQueued?: number;
}

/** SocketCommand.kind_, what a command is for; the steps before the last have none. */
const OPEN_LINK = 1;
const SEND = 2;
const READ = 3;

interface SocketCommand extends Step {
  owner_?: AtSocket;
  kind_?: number;
}

/** AtSocket.state_, unset while the link opens. */
const OPEN = 1;
const DEAD = 2;

class AtSocket implements Socket {
  state_?: number;
  link_?: Link;
  /** A read command is queued or running. */
  reading_?: boolean;
  /** The peer closed: finish once waiting data are read. */
  peerClosed_?: boolean;
  /** Bytes written, not yet in a send command: one byte string, however many writes made it. */
  unsent_ = '';
  /** A send command is queued or running. */
  sending_?: boolean;

  constructor(readonly transport_: AtTransport, readonly handlers_: SocketHandlers) {}

  write(b: Uint8Array) {
    const t = this.transport_;
    if (this.state_ == DEAD || this.peerClosed_ || !b.length) return;
    // Checked before the bytes are copied, so the heap never holds more than the bound.
    if (this.unsent_ && this.unsent_.length + b.length > t.maxQueued_) return t.finish_(this, 'at-modem: send buffer full', '', false, true);
    this.unsent_ += byteStringOf(b);
    if (this.sending_) return;
    // One send command at a time per socket; it takes up to maxSend_ of the unsent bytes only
    // when it comes up, so writes made meanwhile ride along instead of each queueing a command.
    this.sending_ = true;
    t.runner_.run_({ command_: '', successPrefix_: 'SEND OK', owner_: this, kind_: SEND, beforeWrite_: takeUnsent });
  }

  close() {
    this.transport_.finish_(this, '', 'closed');
  }
}

/** A send command's beforeWrite_: one function for every send, finding its socket as owner_. */
function takeUnsent(this: SocketCommand) {
  const socket = this.owner_!;
  const payload = (this.payload_ = socket.unsent_.slice(0, socket.link_!.maxSend_));
  socket.unsent_ = socket.unsent_.slice(payload.length);
  this.command_ = socket.link_!.sendCommand_ + payload.length;
}

// The UART carries byte strings; the Transport contract, Uint8Array. The codec's converters do it
// natively where the platform can (hal.utf8 on Espruino): a JS loop costs the interpreter tens of
// thousands of instructions per byte (bytesOf, byteStringOf).

class AtTransport implements Transport, LineHandler {
  readonly runner_: AtRunner<SocketCommand>;
  private readonly files_: Record<string, string> = {};
  private socket_?: AtSocket;
  /** The newest link: its read headers are parsed even after its socket died. */
  private link_?: Link;

  constructor(
    serial: Serial,
    private readonly clock_: Clock,
    private readonly profile_: Profile,
    private readonly log_: Log,
    readonly maxQueued_: number,
    timeoutMs: number,
  ) {
    this.runner_ = new AtRunner(serial, clock_, timeoutMs, this);
    parseModemOutput(serial, this);
  }

  connect(o: ConnectOptions, h: SocketHandlers): Socket {
    if (this.socket_) this.finish_(this.socket_, '', 'replaced by a new connection'); // the modem holds one link
    const socket = (this.socket_ = new AtSocket(this, h));
    // A quote or newline would end the AT command early and let the rest run as another.
    if (/["\r\n]/.test(o.host + (o.servername || ''))) this.finish_(socket, 'bad host name', '', true, true);
    else {
      if (o.tls && !o.ca) this.log_.warn('at-modem: TLS server certificate is NOT verified (no CA given)');
      const link = (this.link_ = socket.link_ = this.profile_.link_(o, this.log_, this.files_));
      const steps = link.steps_! as SocketCommand[];
      link.steps_ = undefined; // the queue holds them until they are done; the link lives on
      const open = steps[steps.length - 1]!;
      open.kind_ = OPEN_LINK;
      open.timeoutMs_ = 6 * this.runner_.timeoutMs_;
      for (let i = 0; i < steps.length; i++) {
        steps[i]!.owner_ = socket;
        this.runner_.run_(steps[i]);
      }
    }
    return socket;
  }

  /** Every command's answer (AtClient); a dead socket's commands are past caring. */
  commandDone_(command: SocketCommand, error: string | undefined, line: string) {
    const socket = command.owner_!, runner = this.runner_, kind = command.kind_;
    if (socket.state_ == DEAD) return;
    if (!error && command.check_) error = command.check_(line) || undefined;
    if (error && command.retryWhenAlreadyConnected_ && error.indexOf('ALREADY') >= 0) {
      command.retryWhenAlreadyConnected_ = undefined;
      runner.run_(command, true);
      // A close that fails is no failure: the link may be gone already.
      runner.run_({ command_: socket.link_!.closeCommand_, owner_: socket, optional_: 1 }, true);
    } else if (error && !command.optional_) this.finish_(socket, error, '');
    else if (kind == OPEN_LINK) {
      socket.state_ = OPEN;
      socket.handlers_.onOpen();
    } else if (kind == SEND) {
      if (socket.unsent_) runner.run_(command);
      else socket.sending_ = false;
    } else if (kind == READ) {
      // The header gives how many bytes came: none, and nothing more waits.
      if (+line.slice(socket.link_!.readHeader_!.length) > 0) runner.run_(command);
      else {
        socket.reading_ = false;
        if (socket.peerClosed_) this.finish_(socket, '', 'closed by peer');
      }
    }
  }

  /** Every line (LineHandler): a reboot, an unsolicited line about the link, else the runner's. */
  line_(line: string) {
    const socket = this.socket_, link = this.link_;
    if (line == this.profile_.bootLine_) {
      this.runner_.reset_();
      if (socket) this.finish_(socket, 'modem reset', '', true);
      return;
    }
    const gone = link && (line == link.closedUrc_ || (link.networkLostUrc_ && line.indexOf(link.networkLostUrc_) > 0));
    if (gone || (link && line == link.dataUrc_)) {
      if (socket && socket.state_ == OPEN) {
        if (gone) socket.peerClosed_ = true;
        if (socket.reading_) return; // its end finishes a closed socket
        if (gone) return this.finish_(socket, '', 'closed by peer');
        socket.reading_ = true;
        this.runner_.run_({ command_: link!.readCommand_!, owner_: socket, kind_: READ });
      }
      return;
    }
    this.runner_.line_(line);
    const header = link && link.readHeader_;
    if (header && line.indexOf(header) == 0) return +line.slice(header.length);
  }

  data_(bytes: string) {
    const socket = this.socket_;
    if (socket && socket.state_ == OPEN) socket.handlers_.onData(bytesOf(bytes));
  }

  /**
   * Ends a socket once. modemGone: the modem forgot the link, so no close command;
   * later: the handlers run on a timer, for calls from the socket's user (who must not be re-entered).
   */
  finish_(socket: AtSocket, error: string, why: string, modemGone?: boolean, later?: boolean) {
    if (socket.state_ == DEAD) return;
    socket.state_ = DEAD;
    socket.unsent_ = '';
    this.runner_.drop_(socket);
    if (!modemGone && socket.link_) this.runner_.run_({ command_: socket.link_.closeCommand_, owner_: socket });
    const h = socket.handlers_;
    const tell = () => {
      if (error) h.onError(error);
      h.onClose(error || why);
    };
    later ? this.clock_.setTimer(0, tell) : tell();
  }
}

export function atTransport(serial: Serial, clock: Clock, profile: Profile, opts?: AtOptions): Transport {
  const o = opts || {};
  let log = o.log;
  if (!log) {
    // Made only here: a board always gives its log, so it loads no function for this.
    const quiet = () => {};
    log = { debug: quiet, info: quiet, warn: quiet, error: quiet };
  }
  return new AtTransport(serial, clock, profile, log, o.maxQueued || 4096, o.timeoutMs || 10000);
}
