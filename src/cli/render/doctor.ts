/** Human rendering of a doctor report: grouped, aligned, ✓ ! ✗ marks, the fix under each finding. */
import { CHECK_GROUPS, type DoctorCheck, type DoctorReport } from '../../host/doctor.js';
import type { Style } from '../../core/style.js';

export function renderDoctorReport(report: DoctorReport, style: Style): string {
  const width = Math.max(...report.checks.map((c) => c.title.length));
  const mark = (c: DoctorCheck) =>
    c.status === 'pass' ? style.green('✓') : c.status === 'warn' ? style.yellow('!') : c.status === 'fail' ? style.red('✗') : style.dim('-');
  const lines: string[] = [];
  const seen = new Set<string>();
  const groups = [...CHECK_GROUPS, { title: 'Other', ids: report.checks.map((c) => c.id) }];
  for (const group of groups) {
    const checks = group.ids
      .map((id) => report.checks.find((c) => c.id === id))
      .filter((c): c is DoctorCheck => c !== undefined && !seen.has(c.id));
    if (checks.length === 0) continue;
    if (lines.length > 0) lines.push('');
    lines.push(style.bold(group.title));
    for (const c of checks) {
      seen.add(c.id);
      const detail = c.status === 'skip' ? style.dim(`skipped: ${c.detail}`) : c.detail;
      lines.push(`  ${mark(c)} ${c.title.padEnd(width)}  ${detail}`);
      if (c.fix && c.status !== 'pass') lines.push(`      ${style.dim('fix:')} ${c.fix}`);
    }
  }
  lines.push('', summaryLine(report, style));
  return lines.join('\n') + '\n';
}

export function summaryLine(report: DoctorReport, style: Style): string {
  const count = (s: DoctorCheck['status']) => report.checks.filter((c) => c.status === s).length;
  const failed = count('fail');
  const warned = count('warn');
  const passed = count('pass');
  const skipped = count('skip');
  const parts = [`${passed} passed`, `${warned} warning${warned === 1 ? '' : 's'}`, `${failed} failed`, ...(skipped > 0 ? [`${skipped} skipped`] : [])];
  if (failed > 0) return `${style.red('✗')} Not ready for GPU kind clusters: ${parts.join(', ')}.`;
  return `${style.green('✓')} Ready for GPU kind clusters: ${parts.join(', ')}.`;
}
