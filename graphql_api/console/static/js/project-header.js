// The top of every project page: where you are, the tabs, and what you may do here.
import { gql } from './api.js';
import { h, notice } from './dom.js';
import { href, refresh } from './router.js';

const TABS = [
  ['', 'Clusters'],
  ['/snapshots', 'All Daily Snapshots'],
  ['/audit', 'Audit log', (project) => project.viewerCanManageBackups],
];

/** Breadcrumbs, the title, tabs and the access notice; `title` defaults to the project's name. */
export function projectHeader(project, active, title = project.name) {
  const tabs = TABS.filter(([, , visible]) => !visible || visible(project)).map(([path, label]) =>
    h('a', { href: href(`projects/${project.id}${path}`), 'aria-current': path === active ? 'page' : null }, label),
  );
  return [
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumbs' },
      h('a', { href: href() }, 'Projects'), ' › ', project.organization.name, ' › ',
      h('a', { href: href(`projects/${project.id}`) }, project.name)),
    h('h1', { tabindex: '-1' }, title),
    h('nav', { class: 'tabs', 'aria-label': 'Project' }, tabs),
    accessNotice(project),
  ];
}

/** Why the viewer cannot download or restore here, and the way to fix it when there is one. */
export function accessNotice(project) {
  if (project.viewerCanManageBackups) return null;
  const isOrgOwner = project.organization.viewerRoles.includes('ORG_OWNER');
  const error = h('p', { class: 'field-error', role: 'alert' });
  const button = h('button', { type: 'button', class: 'primary', id: 'add-project-owner' }, 'Add me as Project Owner');
  button.addEventListener('click', async () => {
    button.disabled = true;
    error.textContent = '';
    try {
      const { addProjectOwner } = await gql('AddProjectOwner', { projectId: project.id });
      if (!addProjectOwner.project?.viewerCanManageBackups) throw new Error('The server did not make you Project Owner. Reload the page and try again.');
      refresh();
    } catch (e) {
      error.textContent = e.message;
      button.disabled = false;
    }
  });
  return notice('warn',
    h('p', { id: 'access-blocker' }, h('strong', {}, 'You can see these backups but not download or restore them. '), project.viewerManageBackupsBlocker ?? ''),
    isOrgOwner
      ? h('p', {}, 'As an Organization Owner you may make yourself Project Owner of this project. ', button)
      : h('p', {}, 'Ask a Project Owner of this project to give you the Project Owner role.'),
    error,
  );
}
