// The alert rules (manifests/monitoring/prometheus-rule.yaml) and the dashboard
// (manifests/monitoring/grafana-dashboard.json) speak only of metrics the controller exports, and promtool's
// unit tests (prometheus-rule.test.yaml) pin what each alert fires on.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { METRIC_NAMES } from '../../src/observe/metrics.ts';
import { describeTool, runTool } from '../helm/tools.ts';

const MONITORING = join(import.meta.dirname, '..', '..', 'manifests', 'monitoring');
const RULE_FILE = join(MONITORING, 'prometheus-rule.yaml');
const RULE_TESTS = join(MONITORING, 'prometheus-rule.test.yaml');
const DASHBOARD = join(MONITORING, 'grafana-dashboard.json');

const EXPORTED = new Set<string>(Object.values(METRIC_NAMES));
// A histogram is exported as <name>_bucket, _sum and _count.
const HISTOGRAM_SERIES = /_(bucket|sum|count)$/;

/** Every scanschedule_* name a text uses, reduced to the metric it belongs to. */
function metricNamesIn(text: string): string[] {
  const names = new Set<string>();
  for (const [name] of text.matchAll(/\bscanschedule_[a-z_]+/g)) {
    names.add(EXPORTED.has(name) ? name : name.replace(HISTOGRAM_SERIES, ''));
  }
  return [...names].sort();
}

interface RuleGroup {
  name: string;
  rules: { alert?: string; expr: string }[];
}
const ruleGroups = (parse(readFileSync(RULE_FILE, 'utf8')) as { spec: { groups: RuleGroup[] } }).spec.groups;
const expressions = ruleGroups.flatMap((group) => group.rules.map((rule) => rule.expr)).join('\n');
const dashboardText = readFileSync(DASHBOARD, 'utf8');
const dashboard = JSON.parse(dashboardText) as { panels: { title: string; targets?: { expr: string }[] }[] };

describe('alert rules and dashboard over the exported metrics', () => {
  it('the alert expressions use only metrics the controller exports', () => {
    const used = metricNamesIn(expressions);
    assert.ok(used.length >= 8, `only ${used.join(', ')}`);
    assert.deepEqual(
      used.filter((name) => !EXPORTED.has(name)),
      [],
    );
  });

  it('the dashboard queries only metrics the controller exports', () => {
    const queries = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
    assert.ok(queries.length > 0, 'the dashboard has no queries');
    assert.deepEqual(
      metricNamesIn(queries.join('\n')).filter((name) => !EXPORTED.has(name)),
      [],
    );
  });

  it('the dashboard shows every metric an alert is about', () => {
    const shown = new Set(metricNamesIn(dashboardText));
    assert.deepEqual(
      metricNamesIn(expressions).filter((name) => !shown.has(name)),
      [],
    );
  });

  for (const name of ['ScanScheduleNotReady', 'ScanScheduleLastRunFailed', 'ScanScheduleControllerNotLeading']) {
    it(`has the ${name} alert`, () => {
      assert.ok(ruleGroups.some((group) => group.rules.some((rule) => rule.alert === name)));
    });
  }

  describe('with promtool', () => {
    const work = mkdtempSync(join(tmpdir(), 'scanschedule-rules-'));
    after(() => rmSync(work, { recursive: true, force: true }));
    writeFileSync(join(work, 'rules.yaml'), stringify({ groups: ruleGroups }));
    copyFileSync(RULE_TESTS, join(work, 'rules.test.yaml'));

    it('promtool check rules accepts the rule file', async () => {
      const result = await runTool('promtool', ['check', 'rules', 'rules.yaml'], { cwd: work });
      assert.equal(result.code, 0, describeTool(result));
    });

    it('promtool test rules passes every alert test', async () => {
      const result = await runTool('promtool', ['test', 'rules', 'rules.test.yaml'], { cwd: work });
      assert.equal(result.code, 0, describeTool(result));
      assert.match(result.stdout, /SUCCESS/, describeTool(result));
    });
  });
});
