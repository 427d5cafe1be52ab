// Organizations and their projects: where everything starts.
import { gql } from './api.js';
import { badge, empty, h, loading, ROLE_NAMES } from './dom.js';
import { href } from './router.js';

export async function render(page) {
  document.title = 'Projects · Flex Backup console';
  page.append(h('h1', { tabindex: '-1' }, 'Your projects'), loading('Loading your organizations and projects…'));
  const { viewer } = await gql('Viewer');
  page.querySelector('.status').remove();
  page.append(h('p', { class: 'muted' }, `Signed in as ${viewer.name} (${viewer.email}).`));
  const orgs = viewer.organizations.nodes;
  if (!orgs.length) {
    page.append(empty('You have no role in any organization or project yet. Ask a Project Owner to add you.'));
    return;
  }
  for (const org of orgs) {
    const projects = org.projects.nodes;
    page.append(
      h('section', { class: 'org' },
        h('h2', {}, org.name, ' ', org.viewerRoles.map((r) => badge(ROLE_NAMES[r] ?? r, 'role'))),
        projects.length
          ? h('ul', { class: 'projects' }, projects.map((p) => h('li', {},
              h('a', { href: href(`projects/${p.id}`) }, p.name), ' ',
              p.viewerRoles.length ? p.viewerRoles.map((r) => badge(ROLE_NAMES[r] ?? r, 'role')) : h('span', { class: 'muted' }, '(not a member: you see it as Organization Owner)'),
              p.viewerCanManageBackups ? [' ', badge('can restore and download', 'ok')] : null,
            )))
          : empty('No projects you can see in this organization.'),
        org.projects.totalCount > projects.length ? h('p', { class: 'hint' }, `Showing ${projects.length} of ${org.projects.totalCount} projects.`) : null,
      ),
    );
  }
}
