/**
 * Reads a password from the terminal without echoing it (one `*` per character, like MVT), handling
 * backspace, Ctrl-C (abort) and Ctrl-D (end of input).
 */
import { UserError } from '../errors.js';

export async function promptPassword(question: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string> {
  if (!input.isTTY) throw new UserError('usage', 'cannot prompt for a password: standard input is not a terminal');
  output.write(question);
  const wasRaw = input.isRaw;
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  try {
    return await new Promise<string>((resolve, reject) => {
      let password = '';
      const onData = (chunk: string) => {
        for (const ch of chunk) {
          if (ch === '\r' || ch === '\n' || ch === '\u0004') {
            input.off('data', onData);
            output.write('\n');
            resolve(password);
            return;
          }
          if (ch === '\u0003') {
            input.off('data', onData);
            output.write('\n');
            reject(new UserError('usage', 'password entry cancelled'));
            return;
          }
          if (ch === '\u007f' || ch === '\b') {
            if (password.length > 0) {
              password = password.slice(0, -1);
              output.write('\b \b');
            }
          } else if (ch >= ' ') {
            password += ch;
            output.write('*');
          }
        }
      };
      input.on('data', onData);
    });
  } finally {
    input.setRawMode(wasRaw);
    input.pause();
  }
}
