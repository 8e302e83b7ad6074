/**
 * Just enough of the Compose Specification to lint deploy/docker/compose.yaml where the compose plugin is
 * not installed: the service-level keys the specification defines (a misspelled key is not one of them),
 * and variable interpolation as `docker compose` performs it.
 */

/** Top-level properties of a service in the Compose Specification (compose-spec.json, `service`). */
export const SERVICE_KEYS = new Set([
  'annotations', 'attach', 'blkio_config', 'build', 'cap_add', 'cap_drop', 'cgroup', 'cgroup_parent', 'command', 'configs',
  'container_name', 'cpu_count', 'cpu_percent', 'cpu_period', 'cpu_quota', 'cpu_rt_period', 'cpu_rt_runtime', 'cpu_shares',
  'cpus', 'cpuset', 'credential_spec', 'depends_on', 'deploy', 'develop', 'device_cgroup_rules', 'devices', 'dns', 'dns_opt',
  'dns_search', 'domainname', 'entrypoint', 'env_file', 'environment', 'expose', 'extends', 'external_links', 'extra_hosts',
  'gpus', 'group_add', 'healthcheck', 'hostname', 'image', 'init', 'ipc', 'isolation', 'label_file', 'labels', 'links',
  'logging', 'mac_address', 'mem_limit', 'mem_reservation', 'mem_swappiness', 'memswap_limit', 'models', 'network_mode',
  'networks', 'oom_kill_disable', 'oom_score_adj', 'pid', 'pids_limit', 'platform', 'ports', 'post_start', 'pre_stop',
  'privileged', 'profiles', 'provider', 'pull_policy', 'read_only', 'restart', 'runtime', 'scale', 'secrets', 'security_opt',
  'shm_size', 'stdin_open', 'stop_grace_period', 'stop_signal', 'storage_opt', 'sysctls', 'tmpfs', 'tty', 'ulimits',
  'use_api_socket', 'user', 'userns_mode', 'uts', 'volumes', 'volumes_from', 'working_dir',
]);

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Index of the `}` closing the `${` whose body starts at `from` (nested `${…}` in defaults allowed). */
function closing(s: string, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '{') {
      depth++;
      i++;
    } else if (s[i] === '}' && --depth === 0) return i;
  }
  throw new Error(`unclosed \${ in ${JSON.stringify(s)}`);
}

/**
 * One string: `$$` → `$`; `$NAME` / `${NAME}`; `${NAME:-default}` / `${NAME-default}`; `${NAME:?error}` /
 * `${NAME?error}`; `${NAME:+alt}` / `${NAME+alt}`. A `$` followed by anything else is an error, as in compose.
 */
export function interpolateString(s: string, env: Record<string, string | undefined>): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch !== '$') {
      out += ch;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    if (next !== '{') {
      const m = NAME.exec(s.slice(i + 1));
      if (!m) throw new Error(`invalid interpolation format in ${JSON.stringify(s)} at ${i}`);
      out += env[m[0]] ?? '';
      i += m[0].length;
      continue;
    }
    const end = closing(s, i + 2);
    const body = s.slice(i + 2, end);
    const m = NAME.exec(body);
    if (!m) throw new Error(`invalid variable name in \${${body}}`);
    const name = m[0];
    const rest = body.slice(name.length);
    const value = env[name];
    const set = value !== undefined;
    const nonEmpty = set && value !== '';
    const op = /^(:?[-?+])?/.exec(rest)![0];
    const arg = rest.slice(op.length);
    if (op === '' && rest !== '') throw new Error(`invalid interpolation format in \${${body}}`);
    switch (op) {
      case '':
        out += value ?? '';
        break;
      case ':-':
        out += nonEmpty ? value : interpolateString(arg, env);
        break;
      case '-':
        out += set ? value : interpolateString(arg, env);
        break;
      case ':?':
      case '?':
        if (op === ':?' ? !nonEmpty : !set) throw new Error(`required variable ${name} is missing a value: ${interpolateString(arg, env)}`);
        out += value;
        break;
      case ':+':
        out += nonEmpty ? interpolateString(arg, env) : '';
        break;
      case '+':
        out += set ? interpolateString(arg, env) : '';
        break;
    }
    i = end;
  }
  return out;
}

/** Every string value of a parsed compose file (keys stay as they are). */
export function interpolate(value: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof value === 'string') return interpolateString(value, env);
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  return value;
}
