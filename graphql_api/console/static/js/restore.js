// Restore: pick a target you own, type its name, then follow the job live until it ends.
import { AuthError, gql, subscribe } from './api.js';
import { badge, h, loading, notice, replace, time } from './dom.js';
import { openDialog } from './dialog.js';
import { signInAgain } from './router.js';

/** Why a cluster cannot be a target, from what the API tells about it; null when it can. */
function whyNot(cluster) {
  if (cluster.clusterType === 'SHARDED') return 'Sharded: snapshots restore to replica sets only.';
  if (cluster.stateName === 'RESTORING') return 'A restore into it is already running.';
  return null;
}

export async function openRestore(snapshot, clusterName, project, opener) {
  const ui = openDialog(`Restore the snapshot of ${clusterName}`, opener);
  ui.body.append(
    h('p', {}, 'Snapshot scheduled ', time(snapshot.scheduledTime), `, MongoDB ${snapshot.mongoDBVersion}.`),
    notice('warn', h('p', {}, h('strong', {}, 'A restore overwrites all data in the target cluster. '), 'It cannot be undone.')),
    loading('Loading the clusters you can restore to…'),
  );
  let projects;
  try {
    projects = (await gql('RestoreTargets')).viewer.projects.nodes.filter((p) => p.viewerCanManageBackups);
  } catch (error) {
    return failed(ui, error);
  }
  ui.body.querySelector('.status').replaceWith(targetForm(ui, snapshot, project, projects));
  ui.body.querySelector('input[name="target"]:not(:disabled)')?.focus();
}

function failed(ui, error) {
  if (error instanceof AuthError) {
    ui.close();
    signInAgain(error.message);
    return;
  }
  replace(ui.body, notice('error', h('p', {}, error.message), h('p', {}, 'Close this and try again.')), ui.buttons());
}

function targetForm(ui, snapshot, sourceProject, projects) {
  const targetError = h('p', { id: 'target-error', class: 'field-error', role: 'alert' });
  const confirmError = h('p', { id: 'confirm-error', class: 'field-error', role: 'alert' });
  const formError = h('p', { id: 'restore-error', class: 'field-error', role: 'alert' });
  const confirmHint = h('p', { id: 'confirm-hint', class: 'hint' }, 'Choose a target first.');
  const confirm = h('input', { id: 'confirm-name', name: 'confirm', type: 'text', autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': 'confirm-hint confirm-error' });
  const submit = h('button', { type: 'submit', class: 'danger' }, 'Restore');

  const choices = projects.flatMap((p) => p.clusters.nodes.map((cluster) => {
    const reason = whyNot(cluster);
    const id = `target-${p.id}-${cluster.name}`;
    return h('div', { class: reason ? 'choice disabled' : 'choice' },
      h('input', { type: 'radio', name: 'target', id, value: `${p.id}/${cluster.name}`, disabled: Boolean(reason),
        'aria-describedby': reason ? `${id}-why` : null, 'data-cluster': cluster.name,
        onchange: () => { confirmHint.textContent = `Type ${cluster.name} exactly.`; } }),
      h('label', { for: id }, cluster.name,
        h('span', { class: 'muted' }, ` · ${cluster.tier} · MongoDB ${cluster.mongoDBVersion}`, p.id === sourceProject.id ? '' : ` · project ${p.name}`)),
      reason ? h('span', { class: 'why', id: `${id}-why` }, reason) : null,
    );
  }));

  async function onsubmit(event) {
    event.preventDefault();
    for (const el of [targetError, confirmError, formError]) el.textContent = '';
    const chosen = event.currentTarget.querySelector('input[name="target"]:checked');
    if (!chosen) {
      targetError.textContent = 'Choose the cluster to restore to.';
      event.currentTarget.querySelector('input[name="target"]:not(:disabled)')?.focus();
      return;
    }
    const [targetProjectId, ...rest] = chosen.value.split('/');
    const input = {
      snapshotId: snapshot.id,
      targetProjectId,
      targetClusterName: rest.join('/'),
      confirmTargetClusterName: confirm.value,
    };
    submit.disabled = true;
    let payload;
    try {
      payload = (await gql('RestoreSnapshot', { input })).restoreSnapshot;
    } catch (error) {
      if (error instanceof AuthError) return failed(ui, error);
      submit.disabled = false;
      formError.textContent = error.message;
      return;
    }
    submit.disabled = false;
    if (payload.userErrors.length) {
      // Each refusal beside the field that caused it.
      const slots = { targetClusterName: [targetError, chosen], confirmTargetClusterName: [confirmError, confirm] };
      for (const e of payload.userErrors) {
        const [slot] = slots[e.field] ?? [formError];
        slot.textContent = [slot.textContent, e.message].filter(Boolean).join(' ');
      }
      const first = payload.userErrors.map((e) => slots[e.field]?.[1]).find(Boolean);
      (first ?? submit).focus();
      return;
    }
    follow(ui, payload.job);
  }

  return h('form', { method: 'post', onsubmit, novalidate: true },
    h('fieldset', { 'aria-describedby': 'target-error' }, h('legend', {}, 'Target cluster'),
      choices.length ? choices : h('p', { class: 'empty' }, 'You are Project Owner of no project with clusters: there is nowhere to restore to.'),
      targetError),
    h('label', { for: 'confirm-name' }, "Type the target cluster's name to confirm"),
    confirm, confirmHint, confirmError, formError,
    ui.buttons(submit),
  );
}

/** Live progress over the restoreJobProgress subscription until COMPLETED or FAILED. */
function follow(ui, job) {
  const bar = h('progress', { id: 'restore-progress', max: '100', value: String(job.progressPercent), 'aria-label': 'Restore progress' });
  const status = h('p', { id: 'restore-status', role: 'status' });
  const outcome = h('div', { id: 'restore-outcome' });
  const hint = h('p', { class: 'hint' }, 'You may close this dialog: the restore goes on on the server.');
  const show = (j) => {
    bar.value = j.progressPercent;
    replace(status, badge(j.status), ` ${j.progressPercent}%`);
    if (j.status === 'COMPLETED' || j.status === 'FAILED') hint.remove();
    if (j.status === 'COMPLETED') {
      replace(outcome, notice('ok', h('p', {}, `Restore completed: ${job.targetDeploymentItemName} now holds this snapshot's data.`)));
    } else if (j.status === 'FAILED') {
      replace(outcome, notice('error', h('p', {}, `The restore failed: ${j.failureReason ?? 'no reason given'}.`),
        h('p', {}, 'Check the target cluster, then try again or pick another snapshot.')));
    }
  };
  replace(ui.body,
    h('p', {}, `Restoring into ${job.targetDeploymentItemName}. Job `, h('code', {}, job.id), '.'),
    bar, status, outcome, hint,
    ui.buttons(),
  );
  show(job);
  ui.body.querySelector('.buttons button').focus();
  subscribe('RestoreJobProgress', { jobId: job.id }, {
    next: (data) => show(data.restoreJobProgress),
    error: (error) => {
      if (error instanceof AuthError) return failed(ui, error);
      replace(outcome, notice('error', h('p', {}, error.message)));
    },
    complete: () => {},
  }).then((stop) => ui.onClose(stop), (error) => replace(outcome, notice('error', h('p', {}, error.message))));
}
