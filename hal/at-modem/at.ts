// Runs AT commands one at a time: the modem answers one command before it takes the next
// ("busy p..." otherwise), so commands wait in a queue. Unsolicited lines are the caller's business.
// Memory (docs/espruino.md): a runner is one object whose methods are shared through its class,
// and a command is a plain object; its answer goes to the one client given at construction, which
// tells commands apart by their fields, so no command carries a callback of its own.
import type { Clock, TimerId } from '../types.js';
import type { LineHandler } from './parser.js';
import type { Serial } from './serial.js';

export interface AtCommand {
  /** Command line, without CR/LF. */
  command_: string;
  /** Payload for the modem's data mode, written after its prompt ("> " or BG96's "CONNECT"). */
  payload_?: string;
  /** Prefix of the success line (e.g. "SEND OK", "+QSSLOPEN:"); when set, a plain OK is not the end. */
  successPrefix_?: string;
  /** Timeout in ms (default: the runner's). */
  timeoutMs_?: number;
  /** Whose command it is, for drop_(). */
  owner_?: unknown;
  /** Called once when the command comes up, before it is written (`this` = the command): may set
   * command_ and payload_ then, so a send takes whatever bytes wait at that moment (transport.ts). */
  beforeWrite_?(): void;
}

/** Gets every command's answer. */
export interface AtClient<C extends AtCommand = AtCommand> {
  /** error: why it failed, or undefined; line: the success line when successPrefix_ is set, else
   * the last line before OK (on failure, the failing line). */
  commandDone_(command: C, error: string | undefined, line: string): void;
}

/** "busy p..." means the modem dropped the command: send it again later, a bounded number of times. */
const BUSY_TRIES = 8;
const BUSY_MS = 250;

export class AtRunner<C extends AtCommand = AtCommand> implements LineHandler {
  private queue_: C[] = [];
  /** The command written and not yet answered. */
  private current_?: C;
  /** The current command's payload is written (or it has none). */
  private payloadSent_?: boolean;
  // Set when a command is written or comes up, before they are read.
  private lastLine_?: string;
  private busyTries_?: number;
  /** The one timer: it resends the current command (after "busy") or times it out. */
  private timer_?: TimerId;
  private resend_?: boolean;
  /** Made once per runner: the clock calls timers without arguments. */
  private readonly onTimer_: () => void;

  constructor(
    private readonly serial_: Serial,
    private readonly clock_: Clock,
    readonly timeoutMs_: number,
    private readonly client_: AtClient<C>,
  ) {
    const runner = this;
    // A fired timer is forgotten at once: Espruino's clearTimeout throws on an id that already fired.
    this.onTimer_ = function () {
      runner.timer_ = undefined;
      if (runner.resend_) runner.write_();
      else runner.end_(runner.current_!.command_ + ': timeout', '');
    };
  }

  /** Queues a command (front: before the queued ones, not before the one running), then starts
   * the next one if none runs; without a command, only the latter. */
  run_(command?: C, front?: boolean) {
    const queue = this.queue_;
    if (command) {
      if (front) queue.unshift(command);
      else queue.push(command);
    }
    if (this.current_ || !queue.length) return;
    const next = (this.current_ = queue.shift()!);
    this.busyTries_ = 0;
    if (next.beforeWrite_) next.beforeWrite_();
    this.write_();
  }

  /** Writes the current command and starts its timeout. */
  private write_() {
    const command = this.current_!;
    this.payloadSent_ = !command.payload_;
    this.lastLine_ = '';
    this.serial_.write(command.command_ + '\r\n');
    this.wait_(command.timeoutMs_ || this.timeoutMs_);
  }

  /** Clears the timer, then sets it for ms if given: to write the command again (resend), else
   * to time it out. */
  private wait_(ms?: number, resend?: boolean) {
    if (this.timer_ !== undefined) this.clock_.clearTimer(this.timer_);
    this.timer_ = ms ? this.clock_.setTimer(ms, this.onTimer_) : undefined;
    this.resend_ = resend;
  }

  private end_(error: string | undefined, line: string) {
    const command = this.current_!;
    this.wait_();
    this.client_.commandDone_(command, error, line);
    // current_ stays set during the callback so commands it queues in front keep their order.
    if (this.current_ === command) this.current_ = undefined;
    this.run_();
  }

  /** A line from the modem; the prompt "> " comes as the line ">" (parser.ts). */
  line_(line: string) {
    const command = this.current_;
    if (!command) return;
    const waiting = command.payload_ && !this.payloadSent_;
    // BG96's AT+QFUPL prompts with CONNECT.
    if (line == '>' || (waiting && line == 'CONNECT')) {
      if (waiting) {
        this.payloadSent_ = true;
        this.serial_.write(command.payload_!);
      }
      return;
    }
    if (line.slice(0, 4) == 'busy') {
      // Once the payload is in, "busy s..." only says the modem is still sending it.
      if (!(command.payload_ && this.payloadSent_)) {
        if (++this.busyTries_! > BUSY_TRIES) this.end_(command.command_ + ': busy', line);
        else this.wait_(BUSY_MS, true);
      }
      return;
    }
    if (line == 'ERROR' || line == 'FAIL' || line == 'SEND FAIL' || line.indexOf('+CME ERROR') == 0) {
      this.end_(command.command_ + ': ' + (this.lastLine_ ? this.lastLine_ + ', ' : '') + line, line);
      return;
    }
    const prefix = command.successPrefix_;
    if (prefix ? line.indexOf(prefix) == 0 : line == 'OK') {
      if (this.payloadSent_) this.end_(undefined, prefix ? line : this.lastLine_!);
      return;
    }
    this.lastLine_ = line;
  }

  /** Forgets the queued commands of owner; the running one still finishes. */
  drop_(owner: unknown) {
    const queue = this.queue_;
    for (let i = queue.length; i--; ) if (queue[i]!.owner_ === owner) queue.splice(i, 1);
  }

  /** The modem rebooted: nothing queued or running will be answered. */
  reset_() {
    this.queue_ = [];
    this.current_ = undefined;
    this.wait_();
  }
}
