// A sign-in flood in its own process, so its client work does not share the server's event loop:
// `flood-child.ts <baseUrl> <connections> <address>…`; stops on the message 'stop' and sends back its statuses.
import { startSignInFlood } from './loopback-client.js';

const [baseUrl, connections, ...addresses] = process.argv.slice(2);
const flood = startSignInFlood(baseUrl!, addresses, Number(connections));
process.send!('started');
process.once('message', async () => {
  process.send!(await flood.stop());
  process.disconnect();
});
