// Download: a signed, expiring link and the checksum to verify the file against.
import { AuthError, gql } from './api.js';
import { bytes, h, loading, notice, relative, replace, time } from './dom.js';
import { openDialog } from './dialog.js';
import { signInAgain } from './router.js';

export async function openDownload(snapshot, clusterName, opener) {
  const { body, buttons, close } = openDialog(`Download the snapshot of ${clusterName}`, opener);
  body.append(loading('Creating a signed download link…'));
  let payload;
  try {
    payload = (await gql('DownloadSnapshot', { snapshotId: snapshot.id })).downloadSnapshot;
  } catch (error) {
    if (error instanceof AuthError) {
      close();
      signInAgain(error.message);
      return;
    }
    replace(body, notice('error', h('p', {}, error.message), h('p', {}, 'Nothing was created. Close this and try again.')), buttons());
    return;
  }
  if (payload.userErrors.length) {
    replace(body,
      notice('error', payload.userErrors.map((e) => h('p', { class: 'field-error', 'data-field': e.field ?? '' }, e.message))),
      buttons(),
    );
    return;
  }
  const job = payload.job;
  const link = job.snapshotUrl
    ? [
        h('p', {}, h('a', { id: 'download-link', class: 'button', href: job.snapshotUrl, download: '' }, 'Download the archive'), ' ',
          h('span', { class: 'hint' }, bytes(snapshot.sizeBytes), ', gzip’d mongodump archive')),
        h('label', { for: 'download-url' }, 'Signed link'),
        h('input', { id: 'download-url', type: 'text', readonly: true, value: job.snapshotUrl, class: 'mono', size: '60' }),
        h('p', { class: 'hint' }, 'Anyone who has this link can download the snapshot until it expires: share it only with people who may read this data.'),
      ]
    : notice('warn', h('p', {}, `Download job ${job.id} was created, but the server returned no link. Links are shown only to Project Owners of the snapshot's project, and not once revoked or expired.`));
  replace(body,
    h('dl', { class: 'facts' },
      h('dt', {}, 'Snapshot'), h('dd', {}, time(snapshot.scheduledTime)),
      h('dt', {}, 'Link expires'), h('dd', { id: 'download-expires' }, time(job.expirationDate), job.expirationDate ? ` (${relative(job.expirationDate)})` : ''),
    ),
    link,
    h('h3', {}, 'Verify the file'),
    h('p', {}, 'Its SHA-256 must be:'),
    h('code', { id: 'download-sha256', class: 'hash' }, snapshot.sha256 ?? 'unknown'),
    h('p', { class: 'hint' }, 'Check with ', h('code', {}, 'sha256sum <file>'), ' (Linux) or ', h('code', {}, 'shasum -a 256 <file>'), ' (macOS); restore with ', h('code', {}, 'mongorestore --gzip --archive=<file>'), '.'),
    buttons(),
  );
  body.querySelector('#download-link')?.focus();
}
