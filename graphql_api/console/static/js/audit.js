// The project's audit log: every restore and download request, allowed or refused (Project Owners).
import { ApiError, gql } from './api.js';
import { badge, count, empty, h, loading, notice, replace, table, time, TIME_ZONE } from './dom.js';
import { projectHeader } from './project-header.js';
import { href, pagerLinks, pageVariables } from './router.js';

const PAGE_SIZE = 50;

export async function render(page, [projectId], query) {
  page.append(loading('Loading the audit log…'));
  let data;
  try {
    data = await gql('AuditEvents', { projectId, ...pageVariables(query, PAGE_SIZE) });
  } catch (error) {
    if (!(error instanceof ApiError) || !error.codes.includes('FORBIDDEN')) throw error;
    replace(page, h('h1', { tabindex: '-1' }, 'Audit log'),
      notice('error', h('p', {}, error.message), h('p', {}, 'Ask a Project Owner of this project, or ', h('a', { href: href(`projects/${projectId}`) }, 'go back to the project'), '.')));
    return;
  }
  const { project } = data;
  if (!project) {
    replace(page, h('h1', { tabindex: '-1' }, 'Project not found'),
      notice('error', h('p', {}, `No project ${projectId} is visible to you. `, h('a', { href: href() }, 'Pick one of your projects'), '.')));
    return;
  }
  document.title = `Audit log · ${project.name} · Flex Backup console`;
  const events = project.auditEvents;
  const rows = events.nodes.map((e) => h('tr', {},
    h('td', {}, time(e.createdAt, { short: true })),
    h('td', {}, e.actorEmail),
    h('td', {}, e.action),
    h('td', {}, e.target),
    h('td', {}, badge(e.outcome, e.outcome === 'ALLOWED' ? 'ok' : 'FAILED'), e.code ? h('div', { class: 'hint' }, e.code) : null),
    h('td', {}, e.detail),
  ));
  replace(page,
    ...projectHeader(project, '/audit', `${project.name}: Audit log`),
    events.nodes.length
      ? [table(`${count(events.totalCount, 'event')}, newest first. Times are in your time zone (${TIME_ZONE}); hover one for UTC.`, ['When', 'Who', 'Action', 'Target', 'Outcome', 'Detail'], rows, { id: 'audit-events' }),
          pagerLinks(`projects/${project.id}/audit`, query, events.pageInfo, h)]
      : empty('No restore or download has been requested in this project yet.'),
  );
}
