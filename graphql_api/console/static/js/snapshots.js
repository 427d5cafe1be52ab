// "All Daily Snapshots": every cluster's snapshots in the project, filtered, in cursor pages.
import { gql } from './api.js';
import { count, empty, h, loading, notice, replace } from './dom.js';
import { projectHeader } from './project-header.js';
import { href, navigate, pagerLinks, pageVariables } from './router.js';
import { snapshotTable } from './snapshot-table.js';

const STATUSES = ['COMPLETED', 'FAILED', 'RUNNING', 'QUEUED', 'PENDING'];
const PAGE_SIZES = [20, 50, 100];

export async function render(page, [projectId], query) {
  const size = PAGE_SIZES.includes(Number(query.get('size'))) ? Number(query.get('size')) : PAGE_SIZES[0];
  const filters = { clusterName: query.get('cluster') || null, status: STATUSES.includes(query.get('status')) ? query.get('status') : null };
  page.append(loading('Loading snapshots…'));
  const { project } = await gql('ProjectSnapshots', { projectId, ...filters, ...pageVariables(query, size) });
  // From here to the end of the render is what a page of data costs the browser (see the tests).
  const started = performance.now();
  if (!project) {
    replace(page, h('h1', { tabindex: '-1' }, 'Project not found'),
      notice('error', h('p', {}, `No project ${projectId} is visible to you. `, h('a', { href: href() }, 'Pick one of your projects'), '.')));
    return;
  }
  document.title = `All Daily Snapshots · ${project.name} · Flex Backup console`;
  const path = `projects/${project.id}/snapshots`;
  const snapshots = project.snapshots;
  replace(page,
    ...projectHeader(project, '/snapshots', `${project.name}: All Daily Snapshots`),
    filterForm(project, filters, size, path),
    snapshots.nodes.length
      ? [
          snapshotTable(snapshots.nodes, {
            project,
            caption: `${count(snapshots.totalCount, 'snapshot')} ${snapshots.totalCount === 1 ? 'matches' : 'match'}, newest first; ${snapshots.nodes.length} on this page.`,
          }),
          pagerLinks(path, query, snapshots.pageInfo, h),
        ]
      : empty(filters.clusterName || filters.status ? 'No snapshots match these filters. Clear them to see every snapshot.' : 'This project has no snapshots yet.'),
  );
  page.getBoundingClientRect(); // include layout
  performance.measure('console:render-snapshots', { start: started, end: performance.now(), detail: { rows: snapshots.nodes.length } });
}

function filterForm(project, filters, size, path) {
  const select = (id, label, value, options) => [
    h('label', { for: id }, label),
    h('select', { id, name: id }, options.map(([v, text]) => h('option', { value: v, selected: v === (value ?? '') }, text))),
  ];
  const onsubmit = (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const params = new URLSearchParams();
    for (const name of ['cluster', 'status', 'size']) if (form.get(name)) params.set(name, form.get(name));
    navigate(params.size ? `${path}?${params}` : path); // a new filter starts at the newest page
  };
  return h('form', { class: 'filters', method: 'post', onsubmit, 'aria-label': 'Filter snapshots' },
    h('div', {}, select('cluster', 'Cluster', filters.clusterName, [['', 'All clusters'], ...project.clusters.nodes.map((c) => [c.name, c.name])])),
    h('div', {}, select('status', 'Status', filters.status, [['', 'Any status'], ...STATUSES.map((s) => [s, s])])),
    h('div', {}, select('size', 'Per page', String(size), PAGE_SIZES.map((n) => [String(n), String(n)]))),
    h('div', {}, h('button', { type: 'submit', class: 'primary' }, 'Apply')),
  );
}
