/** IPv4 addresses attendees can reach this laptop on: every non-internal interface. */
import { networkInterfaces } from 'node:os';

export function roomAddresses() {
  const found = [];
  for (const [name, infos] of Object.entries(networkInterfaces())) {
    for (const info of infos ?? []) {
      if (info.family === 'IPv4' && !info.internal) found.push({ name, address: info.address });
    }
  }
  return found;
}
