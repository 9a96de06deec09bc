/* Generated from tools/schemas/instance.schema.json by `npm run generate-types`: do not edit. */

/**
 * instance.yaml: the instance that `emi metadata-server` describes, and the faults it injects. Values are checked (instance-id, addresses, MAC, hostnames, devices) so that a typo is caught; deliberately invalid values go under `faults:` or need `allow_invalid: true`.
 */
export interface InstanceConfig {
  /**
   * Serve the values below as given, even when they are not valid (an instance-id, address, MAC, hostname or device that is wrong on purpose, to test a client).
   */
  allow_invalid?: boolean;
  /**
   * meta-data/instance-id, e.g. i-0123456789abcdef0 (any text with allow_invalid: true).
   */
  instance_id: string;
  /**
   * IMDSv2 tokens: optional (the AWS default), required, disabled (every request 403) or eucalyptus (no token route, Eucalyptus defaults).
   */
  tokens?: 'optional' | 'required' | 'disabled' | 'eucalyptus';
  /**
   * Tokens expire after min(asked TTL, this) seconds.
   */
  token_ttl_max?: number;
  /**
   * A token stops working after this many data requests (a token that expires mid-run).
   */
  token_uses?: number;
  /**
   * For this long after the server starts, every path answers `200 System is still starting up` (Eucalyptus).
   */
  starting_up_seconds?: number;
  /**
   * For this long after the server starts, connections are refused (the port is closed), then it listens.
   */
  refuse_seconds?: number;
  ami_id?: string;
  ami_launch_index?: number;
  instance_type?: string;
  local_hostname?: string;
  local_ipv4?: string;
  public_hostname?: string;
  public_ipv4?: string;
  mac?: string;
  availability_zone?: string;
  region?: string;
  account_id?: string;
  architecture?: string;
  /**
   * public-keys/N=name, each with its openssh-key (served as given, plus a trailing newline).
   *
   * @maxItems 100
   */
  public_keys?: {
    name: string;
    key: string;
  }[];
  /**
   * block-device-mapping/<name>: device, e.g. ami: sda1, root: /dev/sda1, ephemeral0: sdb, swap: sdc.
   */
  block_device_mapping?: {
    [k: string]: string;
  };
  /**
   * The user-data, as text.
   */
  user_data?: string;
  /**
   * The user-data, as base64 (binary or gzip).
   */
  user_data_base64?: string;
  /**
   * The user-data, read from this file: a relative path inside the instance file's folder.
   */
  user_data_file?: string;
  /**
   * Extra or replaced meta-data leaves by path, e.g. placement/availability-zone or kernel-id.
   */
  meta_data?: {
    [k: string]: string;
  };
  /**
   * Instance tags, served under meta-data/tags/instance/ (key: value). Keys as EC2 allows them there: letters, digits and + - = . , _ : @, no / or space.
   */
  tags?: {
    [k: string]: string;
  };
  /**
   * @maxItems 1000
   */
  faults?: Fault[];
}
/**
 * A fault applied to the requests whose path matches.
 */
export interface Fault {
  /**
   * The request path (without query), exactly, or a prefix ending in *, or * for every path.
   */
  path: string;
  method?: 'GET' | 'PUT' | 'HEAD';
  /**
   * Apply to the first N matching requests only (default: all of them).
   */
  times?: number;
  status?: number;
  /**
   * The Retry-After header: seconds, or an HTTP date as text.
   */
  retry_after?: number | string;
  /**
   * Extra response headers, e.g. Location for a redirect.
   */
  headers?: {
    [k: string]: string;
  };
  /**
   * The response body instead of the real one.
   */
  body?: string;
  /**
   * A generated body of `size` bytes: huge (text without newlines), binary (every byte value), gzip-bomb (a gzip stream that expands to `size` bytes).
   */
  body_kind?: 'huge' | 'binary' | 'gzip-bomb';
  size?: number;
  /**
   * Send Content-Encoding: gzip with a gzip-bomb body.
   */
  content_encoding?: boolean;
  delay_ms?: number;
  /**
   * Accept the request and never answer.
   */
  hang?: boolean;
  /**
   * Send the body one byte every N milliseconds.
   */
  drip_ms?: number;
  /**
   * Announce the full Content-Length, send half the body and close.
   */
  truncate?: boolean;
  /**
   * Reset the connection (TCP RST) without answering.
   */
  reset?: boolean;
}
