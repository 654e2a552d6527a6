/*
 * placements.js: what the student, employer and coordinator pages share
 * about an accepted application's placement: its state and history in
 * plain words, withdrawing with a confirmation step, and the buttons
 * that move its state on.  Text only; every change goes through M.api
 * (session cookie + CSRF token).
 */
'use strict';

var P = (function () {
	var el = M.el, t = M.t;
	var seq = 0;

	/* The moves the node allows (placement.c); the rest end it. */
	var MOVES = {scheduled: ['active', 'completed', 'cancelled'],
	    active: ['completed', 'cancelled']};

	function uid(p) {
		return p + (++seq);
	}

	function stateWords(st) {
		return M.has('plc.state.' + st) ? t('plc.state.' + st) :
		    String(st || '');
	}

	/* The state inside a sentence ("already under way"). */
	function lower(st) {
		return stateWords(st).toLowerCase();
	}

	function stateBadge(st) {
		return el('span', {class: 'badge badge-plc-' +
		    String(st).replace(/[^a-z]/g, '')}, stateWords(st));
	}

	/*
	 * The badge for a row of application.list: the placement's state,
	 * or the application's status when it has none or was withdrawn.
	 */
	function rowBadge(a) {
		if (a.status === 'withdrawn' || !a.placement)
			return W.statusBadge(a.status);
		return stateBadge(a.placement);
	}

	/* The placement's state of a row, or nothing before acceptance. */
	function rowState(a) {
		return a.placement && a.status !== 'pending' ?
		    stateBadge(a.placement) : '';
	}

	/* Whether an application may still be withdrawn (by its school). */
	function canWithdraw(a) {
		var pl = a.placement;
		var st = pl && typeof pl === 'object' ? pl.state : pl;
		return (a.status === 'pending' || a.status === 'accepted') &&
		    st !== 'completed';
	}

	/*
	 * One change in a placement's history as a sentence, for a viewer
	 * who is 'student', 'school' (the coordinator) or 'employer'.
	 */
	function historyLine(h, viewer) {
		var whose = viewer === 'student' ? 'you' : 'it';
		var key = 'plc.' + whose + '.' + h.state;
		var s = M.has(key) ? t(key, {date: M.date(h.at)}) :
		    stateWords(h.state) + ' — ' + M.date(h.at);
		var by = h.by === 'employer' ? (viewer === 'employer' ?
		    'plc.by.you' : 'plc.by.employer') : h.by === 'school' ?
		    (viewer === 'student' ? 'plc.by.your_school' :
		    viewer === 'school' ? 'plc.by.you' : 'plc.by.school') : null;
		return el('li', null, el('p', null, s + (by ? ' ' + t(by) : '') +
		    '.'),
		    h.note ? el('p', {class: 'quote'}, t('plc.note_said',
		    {note: h.note})) : null);
	}

	function history(pl, viewer) {
		var list = (pl && pl.history) || [];
		if (!list.length)
			return null;
		return el('ol', {class: 'history'}, list.map(function (h) {
			return historyLine(h, viewer);
		}));
	}

	/* Whom to reach about it: "name · email · phone" (text only). */
	function contact(c) {
		if (!c || typeof c !== 'object' || !c.name)
			return '';
		return [c.name, c.email, c.phone].filter(Boolean).join(' · ');
	}

	function dates(pl) {
		if (pl.start && pl.end)
			return t('dates.from_to', {a: M.date(pl.start),
			    b: M.date(pl.end)});
		if (pl.start)
			return t('dates.from', {a: M.date(pl.start)});
		return '';
	}

	/*
	 * view(a, viewer): the application a (application.show) and its
	 * placement: the facts, where it stands in one sentence, and the
	 * history.
	 */
	function view(a, viewer) {
		var pl = a.placement && typeof a.placement === 'object' ?
		    a.placement : null;
		var box = el('div', {class: 'placement'});
		var title = a.title || a.listing;
		var who = null;
		if (viewer === 'school' && a.student)
			who = el('a', {href: '#student=' + encodeURIComponent(
			    a.student)}, a.student_name || a.student);
		else if (viewer === 'employer')
			who = (a.first_name || '') + (a.school_name ? ' (' +
			    a.school_name + ')' : '');
		box.appendChild(W.dl([
			[t('plc.student'), who],
			[t('plc.opportunity'), viewer === 'student' ? el('a',
			    {href: '#listing=' + encodeURIComponent(a.listing)},
			    title) : title],
			[t('plc.employer'), (pl && pl.employer_name) ||
			    a.organization || ''],
			[t('f.kind'), pl && pl.kind ? M.words('kind', pl.kind) :
			    a.kind ? M.words('kind', a.kind) : ''],
			[t('plc.dates'), pl ? dates(pl) : ''],
			[t(viewer === 'employer' ? 'plc.contact_school' :
			    'plc.contact_employer'), contact(viewer === 'employer' ?
			    a.contact : a.employer_contact)],
			[t('plc.status'), a.status === 'withdrawn' || !pl ?
			    W.statusBadge(a.status) : stateBadge(pl.state)]
		]));
		var now = null;
		if (a.status === 'withdrawn')
			now = t('plc.withdrawn.' + (viewer === 'student' ? 'you' :
			    viewer === 'employer' ? 'employer' : 'school'),
			    {date: M.date(a.withdrawn)});
		else if (pl)
			now = t('plc.now.' + (viewer === 'student' ? 'you.' : 'it.') +
			    pl.state);
		else
			now = t('plc.none');
		box.appendChild(el('p', {class: 'lead plc-now'}, now));
		if (a.withdraw_note)
			box.appendChild(el('p', {class: 'quote'},
			    t('plc.withdraw_said', {note: a.withdraw_note})));
		var hist = history(pl, viewer);
		if (hist) {
			box.appendChild(el('h2', null, t('plc.history_h')));
			box.appendChild(hist);
		}
		return box;
	}

	/*
	 * Refusals from the node, said for a person; anything else as the
	 * node said it.
	 */
	var REFUSALS = [
		[/the placement is (\w+); it cannot become (\w+)/, function (m) {
			return t('plc.rf.move', {now: lower(m[1]),
			    to: lower(m[2])});
		}],
		[/is (\w+); only a pending or accepted application can be withdrawn/,
		    function (m) {
			return t('plc.rf.closed', {status: M.words('status',
			    m[1]).toLowerCase()});
		}],
		[/is completed; it cannot be withdrawn/, function () {
			return t('plc.rf.completed');
		}],
		[/has no placement/, function () {
			return t('plc.rf.no_placement');
		}],
		[/^no application/, function () {
			return t('plc.rf.gone');
		}]
	];

	function refusal(e) {
		var i, m;
		if (e instanceof M.ApiError)
			for (i = 0; i < REFUSALS.length; i++)
				if ((m = REFUSALS[i][0].exec(e.raw || '')))
					return REFUSALS[i][1](m);
		return M.errText(e);
	}

	/*
	 * withdrawForm(a, opts): the confirmation step for withdrawing a.
	 * opts.viewer 'student' or 'school'; opts.done(result) after the
	 * node took it; opts.cancel() when the person keeps it.  The form
	 * says what will happen, takes an optional note, and puts a refusal
	 * next to the button that caused it.
	 */
	function withdrawForm(a, opts) {
		var id = uid('wd');
		var accepted = a.status === 'accepted';
		var note = el('textarea', {id: id + '-note', name: 'note', rows: '3',
		    maxlength: '500'});
		var yes = el('button', {type: 'submit', class: 'danger', id: id +
		    '-yes'}, t('plc.wd.confirm'));
		var no = el('button', {type: 'button', id: id + '-no'},
		    t('plc.wd.keep'));
		var head = el('h2', {id: id + '-h', tabindex: '-1'},
		    t(opts.viewer === 'student' ? 'plc.wd.h_you' : 'plc.wd.h_school',
		    {title: a.title || a.listing}));
		var form = el('form', {class: 'card confirm', 'aria-labelledby':
		    id + '-h', novalidate: true}, head,
		    el('p', null, t(accepted ? 'plc.wd.p_accepted' : 'plc.wd.p_pending')),
		    el('div', {class: 'field'}, el('label', {for: id + '-note'},
		    t('plc.wd.note')), note),
		    el('div', {class: 'actions'}, yes, no));
		no.addEventListener('click', function () {
			if (opts.cancel)
				opts.cancel();
		});
		form.addEventListener('keydown', function (ev) {
			if (ev.key === 'Escape' && opts.cancel)
				opts.cancel();
		});
		M.onSubmit(form, function () {
			var args = {id: a.id};
			var n = note.value.trim();
			if (n)
				args.note = n;
			M.clearErrors(form);
			M.busy(yes, M.api('application.withdraw', args),
			    t('plc.wd.sending')).then(function (r) {
				if (opts.done)
					opts.done(r);
			}, function (e) {
				if (e instanceof M.ApiError && e.field === 'note')
					M.fieldError(note, refusal(e));
				else
					M.fieldError(yes, refusal(e));
				(e.field === 'note' ? note : yes).focus();
			});
		});
		form.focusFirst = function () { head.focus(); };
		return form;
	}

	/*
	 * controls(a, side, done): the buttons that move a placement on
	 * (only the moves allowed from its state), a note that travels to
	 * the other side, and a line next to the buttons for the outcome.
	 * side is 'employer' or 'school'; done(state) after a change.
	 */
	function controls(a, side, done) {
		var st = a.placement && typeof a.placement === 'object' ?
		    a.placement.state : a.placement;
		var id = uid('mv');
		var title = a.title || a.listing;
		var msg = el('p', {id: id + '-msg', class: 'plc-msg',
		    role: 'status'});
		var box = el('div', {class: 'plc-controls'});
		var moves = a.status === 'accepted' ? MOVES[st] || [] : [];
		if (!moves.length) {
			box.appendChild(el('p', {class: 'hint'}, a.status ===
			    'withdrawn' ? t('plc.mv.withdrawn') :
			    t('plc.mv.none', {state: lower(st)})));
			return box;
		}
		var note = el('input', {id: id + '-note', name: 'note',
		    maxlength: '500', autocomplete: 'off'});
		box.appendChild(el('div', {class: 'field'}, el('label',
		    {for: id + '-note'}, t('plc.mv.note_' + side)), note));
		var buttons = el('div', {class: 'actions'});
		moves.forEach(function (to) {
			var b = el('button', {type: 'button', class: to ===
			    'cancelled' ? 'danger' : to === 'active' ? 'primary' :
			    null, 'data-state': to, 'aria-label': t('plc.mv.label',
			    {what: t('plc.mv.' + to), title: title}),
			    'aria-describedby': id + '-msg'}, t('plc.mv.' + to));
			b.addEventListener('click', function () {
				var args = {id: a.id, state: to};
				if (note.value.trim())
					args.note = note.value.trim();
				msg.className = 'plc-msg';
				msg.textContent = '';
				M.busy(b, M.api('placement.state', args),
				    t('saving')).then(function () {
					msg.className = 'plc-msg ok';
					msg.textContent = t('plc.mv.done_' + side,
					    {state: lower(to)});
					if (done)
						done(to, msg.textContent);
				}, function (e) {
					msg.className = 'plc-msg field-error';
					msg.textContent = refusal(e);
					b.focus();
				});
			});
			buttons.appendChild(b);
		});
		box.appendChild(buttons);
		box.appendChild(msg);
		return box;
	}

	/* A withdraw button that opens the confirmation step in box. */
	function withdrawButton(a, box, viewer, done, cls) {
		var b = el('button', {type: 'button', class: cls || 'danger',
		    'data-withdraw': a.id, 'aria-label': t(viewer === 'student' ?
		    'apps.withdraw_label' : 'plc.wd.label_school',
		    {title: a.title || a.listing, student: a.student_name ||
		    a.student || ''})}, t('plc.wd.button'));
		b.addEventListener('click', function () {
			M.clear(box);
			var f = withdrawForm(a, {viewer: viewer,
			    cancel: function () {
				M.clear(box);
				if (b.isConnected)
					b.focus();
			    },
			    done: function () {
				M.clear(box);
				done(t('plc.wd.done'));
			    }});
			box.appendChild(f);
			f.focusFirst();
		});
		return b;
	}

	/*
	 * An employer's entries carry no title: the node's own listings
	 * name them (listing id -> title), fetched once per list.
	 */
	var titles = {};

	var people = {};	/* at a school: student id -> name */

	function loadTitles(side) {
		if (side === 'school')
			return M.api('student.list', {}).then(function (r) {
				(Array.isArray(r) ? r : (r && r.students) ||
				    []).forEach(function (x) {
					people[x.id] = x.name;
				});
			}, function () { return null; });
		return M.api('listing.list', {mine: true}).then(function (r) {
			(Array.isArray(r) ? r : []).forEach(function (l) {
				titles[l.id] = l.title;
			});
			return titles;
		}, function () { return titles; });
	}

	function named(a) {
		if (!a.title && titles[a.listing])
			a.title = titles[a.listing];
		if (!a.student_name && a.student && people[a.student])
			a.student_name = people[a.student] + ' (' + a.student + ')';
		return a;
	}

	/* Says text in the status box msg and moves the focus there. */
	function tell(msg, text) {
		M.say(msg, text, 'ok');
		msg.setAttribute('tabindex', '-1');
		msg.focus();
	}

	/*
	 * staffList(box, side, msg): every placement on this node (the
	 * employer's accepted applications, or all students' at a school),
	 * each with its state and what may be done to it.  side 'employer'
	 * or 'school'; msg a status box for outcomes.
	 */
	function staffList(box, side, msg) {
		var again = function (text) {
			return staffList(box, side, msg).then(function () {
				tell(msg, text);
			});
		};
		M.say(msg, '');
		return M.loading(box, Promise.all([M.api('application.list',
		    {placements: true}), loadTitles(side)])).then(function (rr) {
			var r = rr[0];
			var list = (Array.isArray(r) ? r : []).filter(function (a) {
				return side === 'school' ? a.side !== 'received' :
				    a.side !== 'sent';
			}).map(named);
			if (!list.length) {
				box.appendChild(el('p', {class: 'empty'},
				    t('plc.list_none')));
				return;
			}
			var confirm = el('div', {class: 'plc-confirm'});
			var rows = list.map(function (a) {
				var title = a.title || a.listing;
				var link = el('a', {href: '#placement=' +
				    encodeURIComponent(a.id)}, title);
				var acts = controls(a, side, function (to, text) {
					again(text);
				});
				if (side === 'school' && canWithdraw(a))
					acts.appendChild(el('p', null, withdrawButton(a,
					    confirm, 'school', again, 'link danger')));
				return side === 'school' ? [a.student ? el('a',
				    {href: '#student=' + encodeURIComponent(a.student)},
				    a.student_name || a.student) : '', link,
				    rowBadge(a), acts] : [link, (a.first_name || '') +
				    (a.school_name ? (a.first_name ? ', ' : '') +
				    a.school_name : ''), rowBadge(a), acts];
			});
			box.appendChild(W.table(side === 'school' ? [t('plc.student'),
			    t('plc.opportunity'), t('plc.status'), t('apps.actions')] :
			    [t('plc.opportunity'), t('plc.who_school'), t('plc.status'),
			    t('apps.actions')], rows, t('plc.h1_staff')));
			box.appendChild(confirm);
		});
	}

	/*
	 * staffPage(box, id, side, msg): one placement for its employer or
	 * its school's coordinator: the facts and history, the state
	 * buttons and, at the school, withdrawing on the student's behalf.
	 */
	function staffPage(box, id, side, msg) {
		var again = function (text) {
			return staffPage(box, id, side, msg).then(function () {
				tell(msg, text);
			});
		};
		M.say(msg, '');
		return M.loading(box, Promise.all([M.api('application.show',
		    {id: id}), loadTitles(side)])).then(function (rr) {
			var a = named(rr[0]);
			box.appendChild(view(a, side));
			if (typeof H !== 'undefined')
				box.appendChild(H.section(a, side));
			if (!a.placement && a.status !== 'pending')
				return;
			box.appendChild(el('h2', null, t('plc.change_h')));
			if (a.placement)
				box.appendChild(controls(a, side, function (to, text) {
					again(text);
				}));
			if (side === 'school' && canWithdraw(a)) {
				var confirm = el('div', {class: 'plc-confirm'});
				box.appendChild(el('p', null, withdrawButton(a, confirm,
				    'school', again)));
				box.appendChild(confirm);
			}
		});
	}

	return {
		staffList: staffList, staffPage: staffPage,
		withdrawButton: withdrawButton,
		stateWords: stateWords, stateBadge: stateBadge, rowBadge: rowBadge,
		rowState: rowState,
		canWithdraw: canWithdraw, history: history, view: view,
		withdrawForm: withdrawForm, controls: controls, refusal: refusal
	};
})();
