// Which addresses a notification may never reach unless the operator allows it: link-local networks and the
// cloud instance-metadata services on them or next to them, where a URL chosen by whoever can edit a
// ScanSchedule would read the node's cloud credentials (SSRF). Loopback and private networks stay allowed:
// in-cluster receivers and tests live there, and NetworkPolicy is the tool to fence those.
import { BlockList, isIP } from 'node:net';

const forbidden = new BlockList();
forbidden.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local: AWS, GCP, Azure, OCI, OpenStack metadata, ECS task metadata
forbidden.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata
forbidden.addAddress('192.0.0.192', 'ipv4'); // Oracle Cloud Classic metadata
forbidden.addSubnet('fe80::', 10, 'ipv6'); // IPv6 link-local
forbidden.addAddress('fd00:ec2::254', 'ipv6'); // AWS IMDS over IPv6

/** Names of metadata services that answer without being link-local addresses in every resolver. */
const FORBIDDEN_HOST_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data']);

/** True for a link-local or metadata address, in IPv4, IPv6, or IPv4-mapped IPv6 form. */
export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return forbidden.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** True for a metadata service's host name (case and a final dot ignored). */
export function isForbiddenHostName(hostName: string): boolean {
  const name = hostName.toLowerCase().replace(/\.$/, '');
  return FORBIDDEN_HOST_NAMES.has(name) || FORBIDDEN_HOST_NAMES.has(name.replace(/\.ec2\.internal$/, ''));
}
