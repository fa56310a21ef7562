import { StringDecoder } from 'node:string_decoder';
import { Interrupted } from './admin-failure.js';

/** What a terminal needs to read a line without echoing it. */
export interface Terminal {
  setRawMode(raw: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/**
 * Reads one line from a terminal in raw mode, so the terminal echoes nothing; nothing is printed in
 * its place either (no asterisks giving away the length). Backspace and Ctrl-U edit; Ctrl-C, or
 * Ctrl-D on an empty line, cancel. Raw mode is on before the prompt is shown, so a fast typist's
 * first keys are not echoed, and it is off again however the process ends.
 */
export function readHidden(prompt: string, input: Terminal, output: { write(text: string): unknown }): Promise<string> {
  return new Promise((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    let value = '';
    let escape = false;
    const cooked = () => { input.setRawMode(false); };
    const finish = (err?: Error) => {
      input.off('data', onData);
      cooked();
      input.pause();
      process.off('exit', cooked);
      output.write('\n');
      if (err) reject(err); else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of decoder.write(chunk)) {
        if (escape) { escape = !/[@-~]/.test(ch) || ch === '['; continue; } // an arrow key's ESC [ A: skipped whole
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || (ch === '\u0004' && value === '')) return finish(new Interrupted());
        if (ch === '\u001b') escape = true;
        else if (ch === '\u007f' || ch === '\b') value = Array.from(value).slice(0, -1).join('');
        else if (ch === '\u0015') value = '';
        else if (ch >= ' ') value += ch;
      }
    };
    input.setRawMode(true);
    process.on('exit', cooked);
    output.write(prompt);
    input.on('data', onData);
    input.resume();
  });
}
