// The review grid, enhanced: actions update the row in place (the server answers JSON when asked),
// bulk approval asks first and offers undo, and j/k/a/e/r/? work while the grid has focus.
// Without this script every action is a plain form post that comes back to the same filters.
(function () {
  'use strict';
  var grid = document.getElementById('review-grid');
  var notice = document.getElementById('grid-notice');
  var line = document.getElementById('review-line');
  if (!grid) return;

  function say(text, undo) {
    notice.textContent = '';
    var p = document.createElement('p');
    p.className = 'notice';
    p.textContent = text + ' ';
    if (undo) p.appendChild(undo);
    notice.appendChild(p);
  }

  // A form with a field named "action" hides form.action behind that field: read the attribute.
  function urlOf(form) {
    return form.getAttribute ? form.getAttribute('action') : form.url;
  }

  function setCell(row, name, value) {
    var cell = row.querySelector('[data-cell="' + name + '"]');
    if (!cell) return;
    var target = cell.querySelector('.clamp') || cell;
    target.textContent = value;
    if (target !== cell) target.title = value;
  }

  function updateRow(data) {
    var row = document.getElementById('item-' + data.itemId);
    if (!row) return;
    setCell(row, 'short', data.short);
    setCell(row, 'text', data.text);
    setCell(row, 'state', data.state + (data.rejectReason ? ' — ' + data.rejectReason : ''));
    setCell(row, 'assignee', data.assignee || '—');
    row.className = 'row state-' + data.state;
    var approve = row.querySelector('button[data-key="a"]');
    if (approve) approve.disabled = !data.canApprove;
    row.querySelectorAll('details[open]').forEach(function (d) { d.open = false; });
  }

  function undoForm(batch, source) {
    var form = document.createElement('form');
    form.method = 'post';
    form.action = urlOf(source).replace(/\/(bulk|approve-answered)$/, '/undo');
    form.className = 'inline';
    form.setAttribute('data-inplace', '');
    [['_csrf', source.elements._csrf.value], ['batch', batch], ['back', source.elements.back ? source.elements.back.value : '']].forEach(function (f) {
      var input = document.createElement('input');
      input.type = 'hidden'; input.name = f[0]; input.value = f[1];
      form.appendChild(input);
    });
    var button = document.createElement('button');
    button.type = 'submit'; button.className = 'secondary'; button.textContent = 'Undo';
    form.appendChild(button);
    return form;
  }

  function post(url, params) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: params.toString(),
    }).then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) throw new Error((body.error && body.error.message) || 'That did not work.');
        return body;
      });
    });
  }

  function handle(form, params) {
    return post(urlOf(form), params).then(function (body) {
      if (body.confirm) {
        if (!body.count) { say(body.message); return; }
        if (!window.confirm(body.message)) return;
        var confirmed = new URLSearchParams();
        confirmed.set('_csrf', params.get('_csrf'));
        confirmed.set('action', 'approve');
        confirmed.set('confirmed', '1');
        body.itemIds.forEach(function (id) { confirmed.append('items', String(id)); });
        return handle({ url: body.confirmUrl, elements: form.elements }, confirmed);
      }
      if (body.row) updateRow(body.row);
      if (body.rows) body.rows.forEach(updateRow);
      if (body.header && line) line.textContent = body.header.reviewLine;
      if (body.batch) say('Approved ' + body.count + '.', undoForm(body.batch, form));
      else if (body.rows) say('Done: ' + body.count + ' ' + (body.count === 1 ? 'question' : 'questions') + '.');
      else if (/\/undo$/.test(urlOf(form))) { say('Undone: ' + body.count + ' back to pending. Reloading the list…'); window.location.reload(); }
      else say('Saved.');
      grid.querySelectorAll('input[name="items"]:checked').forEach(function (box) { box.checked = false; });
    });
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute('data-inplace') || !window.fetch) return;
    event.preventDefault();
    var params = new URLSearchParams(new FormData(form));
    if (event.submitter && event.submitter.name) params.set(event.submitter.name, event.submitter.value);
    // Checkboxes in the grid belong to the bulk form through their form attribute; FormData includes them.
    handle(form, params).catch(function (error) { say(error.message); });
  });

  // Keyboard: only while focus is inside the grid, never in a text field, and with an off switch.
  var toggle = document.getElementById('kbd-toggle');
  var label = document.getElementById('kbd-label');
  var help = document.getElementById('kbd-help');
  toggle.hidden = false; label.hidden = false;
  toggle.checked = window.localStorage.getItem('evident.keys') !== 'off';
  toggle.addEventListener('change', function () { window.localStorage.setItem('evident.keys', toggle.checked ? 'on' : 'off'); });
  grid.tabIndex = 0;

  function rows() { return Array.prototype.slice.call(grid.querySelectorAll('tbody tr[data-item]')); }
  function current() { return document.activeElement && document.activeElement.closest ? document.activeElement.closest('tr[data-item]') : null; }

  grid.addEventListener('keydown', function (event) {
    if (!toggle.checked || event.ctrlKey || event.metaKey || event.altKey) return;
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName)) return;
    var all = rows();
    var row = current();
    var index = row ? all.indexOf(row) : -1;
    var open = function (key) {
      if (!row) return;
      var details = row.querySelector('details[data-key="' + key + '"]');
      if (details) { details.open = true; var field = details.querySelector('textarea, input[type="text"]'); if (field) field.focus(); }
    };
    switch (event.key) {
      case 'j': if (all[index + 1]) all[index + 1].focus(); break;
      case 'k': if (index > 0) all[index - 1].focus(); else if (all[0]) all[0].focus(); break;
      case 'a': if (row) { var b = row.querySelector('button[data-key="a"]'); if (b && !b.disabled) b.click(); } break;
      case 'e': open('e'); break;
      case 'r': open('r'); break;
      case '?': help.hidden = !help.hidden; break;
      default: return;
    }
    event.preventDefault();
  });
})();
