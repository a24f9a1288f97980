// The default scanner command: JMo's `scan` sub-command built from a jobTemplate.
//
// Every flag checked against JMo's CLI, scripts/cli/jmo.py in jimmy058910/jmo-security-repo (commit 82c8cd1:
// `_add_scan_args` = `_add_target_args` + `_add_scan_config_args` + `_add_logging_args`):
//   --repo, --repos-dir, --targets FILE   a mutually exclusive group: at most one of them
//   --image IMAGE                         one value (argparse "store": a repeated flag keeps only the last)
//   --images-file FILE                    one image per line
//   --url URL / --urls-file FILE          the same, for web targets
//   --k8s-context, --k8s-namespace        as named
//   --results-dir DIR                     default "results"; summaries/findings.json ends up below it
//   --threads N, --timeout SECONDS        integers (timeout is per tool)
//   --allow-missing-tools, --human-logs   switches
//   --profile-name NAME                   a profile of jmo.yml (fast, slim, balanced, deep)
// Not on `scan`: `--profile` (a timing switch of `report`/`ci`; argparse would only accept it on `scan` as an
// abbreviation of --profile-name) and `--fail-on` (`report`, `ci`, and the fast/balanced/full shortcuts).
// The threshold is judged by our report step (`scanschedule report --fail-on`), so the scan exits 0 with
// findings and fails only when it could not scan. cmd_scan runs JMo's report phase itself, which writes
// summaries/findings.json.
//
// Several images or URLs, or a repo next to a repos_dir, do not fit JMo's flags: a small `sh -c` prelude then
// writes the lists to files in /tmp (an emptyDir in the scan pod) and execs jmo. User values reach the script
// only as positional parameters ("$1"…), never inside its text, so no value can inject shell.
import { DEFAULT_PROFILE, DEFAULT_RESULTS_DIR } from '../api/defaults.ts';
import type { JobTemplate } from '../api/types.ts';

export const JMO_IMAGES_FILE = '/tmp/jmo-images.txt';
export const JMO_URLS_FILE = '/tmp/jmo-urls.txt';
export const JMO_TARGETS_FILE = '/tmp/jmo-targets.txt';

interface Prelude {
  /** Shell lines; they refer to values only as $N. */
  lines: string[];
  /** The values, in order, passed as $1, $2, … */
  values: string[];
}

function listFile(prelude: Prelude, values: readonly string[], file: string): void {
  const first = prelude.values.length + 1;
  const refs = values.map((_, i) => `"$${first + i}"`).join(' ');
  prelude.lines.push(`printf '%s\\n' ${refs} > ${file}`);
  prelude.values.push(...values);
}

/** The repo, then every immediate subfolder of repos_dir (what JMo's --repos-dir scans), one per line. */
function targetsFile(prelude: Prelude, repo: string, reposDir: string): void {
  const n = prelude.values.length;
  prelude.lines.push(
    `{ printf '%s\\n' "$${n + 1}"; for d in "$${n + 2}"/*/; do if [ -d "$d" ]; then printf '%s\\n' "\${d%/}"; fi; done; } > ${JMO_TARGETS_FILE}`,
  );
  prelude.values.push(repo, reposDir);
}

export function jmoScanCommand(template: JobTemplate): string[] {
  const { targets, options = {} } = template;
  const prelude: Prelude = { lines: [], values: [] };
  const args = ['jmo', 'scan', '--profile-name', template.profile ?? DEFAULT_PROFILE];

  if (targets.repo !== undefined && targets.repos_dir !== undefined) {
    targetsFile(prelude, targets.repo, targets.repos_dir);
    args.push('--targets', JMO_TARGETS_FILE);
  } else if (targets.repo !== undefined) {
    args.push('--repo', targets.repo);
  } else if (targets.repos_dir !== undefined) {
    args.push('--repos-dir', targets.repos_dir);
  }
  const images = targets.images ?? [];
  if (images.length === 1) args.push('--image', images[0] as string);
  if (images.length > 1) {
    listFile(prelude, images, JMO_IMAGES_FILE);
    args.push('--images-file', JMO_IMAGES_FILE);
  }
  const urls = targets.urls ?? [];
  if (urls.length === 1) args.push('--url', urls[0] as string);
  if (urls.length > 1) {
    listFile(prelude, urls, JMO_URLS_FILE);
    args.push('--urls-file', JMO_URLS_FILE);
  }
  if (targets.k8s_context !== undefined) args.push('--k8s-context', targets.k8s_context);
  if (targets.k8s_namespace !== undefined) args.push('--k8s-namespace', targets.k8s_namespace);
  args.push('--results-dir', template.results?.dir ?? DEFAULT_RESULTS_DIR);
  if (options.threads !== undefined) args.push('--threads', String(options.threads));
  if (options.timeout !== undefined) args.push('--timeout', String(options.timeout));
  if (options.allow_missing_tools === true) args.push('--allow-missing-tools');
  if (options.human_logs === true) args.push('--human-logs');

  if (prelude.lines.length === 0) return args;
  const shift = prelude.values.length;
  const script = ['set -eu', ...prelude.lines, `shift ${shift}`, 'exec "$@"'].join('\n');
  return ['sh', '-c', script, 'jmo-scan', ...prelude.values, ...args];
}
