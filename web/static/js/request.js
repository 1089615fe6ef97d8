// Request form: a bundle (or "All documents") ticks its documents, and shows as ticked only while
// all of them are (half-ticked when some are). Without this script a ticked bundle still asks for
// its documents: the server adds them when the form is sent.
(function () {
  const form = document.querySelector('form[action="/access/request"]');
  if (!form) return;
  const docs = Array.from(form.querySelectorAll('input[name="documents"]'));
  const bundles = Array.from(form.querySelectorAll('input[name="bundles"]'));
  const status = form.querySelector('#doc-count');
  const membersOf = (bundle) => {
    const ids = bundle.dataset.documents;
    return ids === 'all' ? docs : docs.filter((d) => ids.split(' ').includes(d.value));
  };

  function reflect() {
    for (const bundle of bundles) {
      const members = membersOf(bundle);
      const ticked = members.filter((d) => d.checked).length;
      bundle.checked = members.length > 0 && ticked === members.length;
      bundle.indeterminate = ticked > 0 && ticked < members.length;
    }
    const n = docs.filter((d) => d.checked).length;
    if (status) status.textContent = n === 1 ? '1 document selected' : n + ' documents selected';
  }

  for (const bundle of bundles) {
    bundle.addEventListener('change', () => {
      for (const d of membersOf(bundle)) d.checked = bundle.checked;
      reflect();
    });
  }
  for (const d of docs) d.addEventListener('change', reflect);
  // A bundle ticked on the server's page (a link or a failed send) shows its documents ticked already.
  for (const bundle of bundles) if (bundle.checked) for (const d of membersOf(bundle)) d.checked = true;
  reflect();
  if (status) status.textContent = '';
})();
