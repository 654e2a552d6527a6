/*
 * hours.js: a placement's attendance on its page.  The student (their
 * own) or the coordinator logs a day's hours; the employer confirms or
 * disputes each entry with a note; both see the same entries and totals
 * (hours.list).  Refusals are said in plain words next to what caused
 * them.  A node without the hours commands shows nothing.
 */
'use strict';

var H = (function () {
	var el = M.el, t = M.t;
	var seq = 0;

	function hm(minutes) {
		var m = Number(minutes) || 0;
		var h = Math.floor(m / 60);
		m = m % 60;
		return m ? t('hrs.hm', {h: h, m: m}) : t('hrs.h', {h: h});
	}

	function total(x) {
		x = x || {entries: 0, minutes: 0};
		return hm(x.minutes) + ' ' + t(x.entries === 1 ? 'hrs.one' :
		    'hrs.n', {n: x.entries});
	}

	function today() {
		return new Date().toISOString().slice(0, 10);
	}

	/* The node's refusals, said for a person, and the field they are about. */
	var REFUSALS = [
		[/^date (\S+) is in the future \(today is (\S+), UTC\)/, 'date',
		    function (m) {
			return t('hrs.rf.future', {date: M.date(m[1]),
			    today: M.date(m[2])});
		}],
		[/^date \S+ is before the placement starts \((\S+)\)/, 'date',
		    function (m) {
			return t('hrs.rf.before', {start: M.date(m[1])});
		}],
		[/^date \S+ is after the placement ends \((\S+)\)/, 'date',
		    function (m) {
			return t('hrs.rf.after', {end: M.date(m[1])});
		}],
		[/hours on (\S+) would add up to .* \((\d+) h (\d+) min already logged\)/,
		    'hours', function (m) {
			return t('hrs.rf.day', {date: M.date(m[1]),
			    already: hm(Number(m[2]) * 60 + Number(m[3]))});
		}],
		[/^the placement is (\w+); hours are logged only/, null,
		    function (m) {
			return t('hrs.rf.state', {state: P.stateWords(m[1])
			    .toLowerCase()});
		}],
		[/^attendance entry \S+ is already (\w+)/, null, function (m) {
			return t('hrs.rf.answered', {status:
			    t('hrs.status.' + m[1]).toLowerCase()});
		}]
	];

	/* {field, text} for an error from hours.log or hours.answer. */
	function refusal(e) {
		var i, m;
		if (e instanceof M.ApiError) {
			for (i = 0; i < REFUSALS.length; i++)
				if ((m = REFUSALS[i][0].exec(e.raw || '')))
					return {field: REFUSALS[i][1],
					    text: REFUSALS[i][2](m)};
			if (e.field)
				return {field: e.field, text: M.stripField(e.raw)};
		}
		return {field: null, text: P.refusal(e)};
	}

	function statusBadge(st, viewer) {
		var key = st === 'logged' ? 'hrs.status.logged_' +
		    (viewer === 'employer' ? 'you' : 'them') : 'hrs.status.' + st;
		return el('span', {class: 'badge badge-hrs-' +
		    String(st).replace(/[^a-z]/g, '')}, t(key));
	}

	/* Confirm / dispute with a note, for one entry (employer). */
	function answerBox(a, e, reload) {
		var id = 'ha' + (++seq);
		var note = el('input', {id: id + '-note', name: 'note',
		    maxlength: '500', autocomplete: 'off'});
		var msg = el('p', {id: id + '-msg', class: 'plc-msg',
		    role: 'status'});
		var box = el('div', {class: 'plc-controls'}, el('div',
		    {class: 'field'}, el('label', {for: id + '-note'},
		    t('hrs.answer_note')), note));
		var btns = el('div', {class: 'actions'});
		['confirm', 'dispute'].forEach(function (how) {
			var b = el('button', {type: 'button', class: how === 'confirm' ?
			    'primary' : 'danger', 'data-answer': how,
			    'aria-describedby': id + '-msg', 'aria-label':
			    t('hrs.' + how + '_label', {date: M.date(e.date),
			    h: hm(e.minutes)})}, t('hrs.' + how));
			b.addEventListener('click', function () {
				var args = {id: a.id, entry: e.entry, status: how};
				if (note.value.trim())
					args.note = note.value.trim();
				msg.className = 'plc-msg';
				msg.textContent = '';
				M.busy(b, M.api('hours.answer', args), t('saving')).then(
				    function () {
					reload(t('hrs.answered_' + how));
				}, function (err) {
					msg.className = 'plc-msg field-error';
					msg.textContent = refusal(err).text;
					b.focus();
				});
			});
			btns.appendChild(b);
		});
		box.appendChild(btns);
		box.appendChild(msg);
		return box;
	}

	/* The form to log a day's hours (school side, while it runs). */
	function logForm(a, r, reload) {
		var id = 'hl' + (++seq);
		var max = r.end && r.end < today() ? r.end : today();
		var date = el('input', {id: id + '-date', name: 'date',
		    type: 'date', required: true, min: r.start || null, max: max,
		    value: r.start && r.start > max ? null : max});
		var hours = el('input', {id: id + '-hours', name: 'hours',
		    inputmode: 'decimal', required: true, autocomplete: 'off',
		    'aria-describedby': id + '-hours-hint', maxlength: '8'});
		var act = el('textarea', {id: id + '-act', name: 'activity',
		    rows: '3', maxlength: '1000', required: true});
		var btn = el('button', {type: 'submit', class: 'primary'},
		    t('hrs.log'));
		var form = el('form', {class: 'hours-log', novalidate: true,
		    'aria-labelledby': id + '-h'},
		    el('h3', {id: id + '-h'}, t('hrs.log_h')),
		    el('div', {class: 'row'},
		    el('div', {class: 'field'}, el('label', {for: id + '-date'},
		    t('hrs.date')), date),
		    el('div', {class: 'field'}, el('label', {for: id + '-hours'},
		    t('hrs.hours')), hours, el('p', {class: 'hint',
		    id: id + '-hours-hint'}, t('hrs.hours_hint')))),
		    el('div', {class: 'field'}, el('label', {for: id + '-act'},
		    t('hrs.activity')), act),
		    el('div', {class: 'actions'}, btn));
		var fields = {date: date, hours: hours, minutes: hours,
		    activity: act};
		M.onSubmit(form, function () {
			M.clearErrors(form);
			var h = hours.value.trim().replace(',', '.');
			var miss = [];
			if (!date.value)
				miss.push([date, t('hrs.need_date')]);
			if (!h)
				miss.push([hours, t('hrs.need_hours')]);
			if (!act.value.trim())
				miss.push([act, t('hrs.need_activity')]);
			if (miss.length) {
				miss.forEach(function (x) { M.fieldError(x[0], x[1]); });
				miss[0][0].focus();
				return;
			}
			M.busy(btn, M.api('hours.log', {id: a.id, date: date.value,
			    hours: h, activity: act.value.trim()}), t('saving')).then(
			    function (res) {
				reload(t('hrs.logged_ok', {h: hm(res.minutes),
				    date: M.date(res.date)}));
			}, function (err) {
				var f = refusal(err);
				var target = fields[f.field] || btn;
				M.fieldError(target, f.text);
				target.focus();
			});
		});
		return form;
	}

	/*
	 * section(a, viewer): the attendance of application a's placement
	 * for viewer 'student', 'school' or 'employer'; loads itself.
	 */
	function section(a, viewer) {
		var id = 'hs' + (++seq);
		var msg = el('div', {role: 'status', hidden: true});
		var body = el('div');
		var sec = el('section', {class: 'card hours', 'aria-labelledby':
		    id + '-h'}, el('h2', {id: id + '-h'}, t('hrs.h2')), msg, body);
		if (!a.placement || typeof a.placement !== 'object') {
			sec.hidden = true;
			return sec;
		}
		function reload(text) {
			return load().then(function () {
				if (text) {
					M.say(msg, text, 'ok');
					msg.setAttribute('tabindex', '-1');
					msg.focus();
				}
			});
		}
		function load() {
			M.say(msg, '');
			return M.loading(body, M.api('hours.list', {id: a.id})).then(
			    function (r) {
				render(r);
			}, function (e) {
				if (M.missing(e))
					sec.hidden = true;
			});
		}
		function render(r) {
			var tt = r.totals || {};
			body.appendChild(W.dl([
				[t('hrs.t_logged'), total(tt.logged)],
				[t('hrs.t_confirmed'), total(tt.confirmed)],
				[t('hrs.t_disputed'), total(tt.disputed)],
				[t('hrs.t_pending'), total(tt.pending)]
			].concat(tt.refused && tt.refused.entries ?
			    [[t('hrs.t_refused'), total(tt.refused)]] : [])));
			var list = r.entries || [];
			if (list.length) {
				var head = [t('hrs.date'), t('hrs.hours_col'),
				    t('hrs.activity_col'), t('hrs.status'), t('hrs.note')];
				/* The employer answers each entry once. */
				var answer = viewer === 'employer' && list.some(
				    function (e) { return e.status === 'logged'; });
				if (answer)
					head.push(t('apps.actions'));
				body.appendChild(W.table(head, list.map(function (e) {
					var row = [M.date(e.date), hm(e.minutes), e.activity,
					    statusBadge(e.status, viewer), e.note || ''];
					if (answer)
						row.push(e.status === 'logged' ?
						    answerBox(a, e, reload) : '');
					return row;
				}), t('hrs.h2')));
			} else {
				body.appendChild(el('p', {class: 'empty'},
				    t('hrs.none')));
			}
			if (viewer !== 'employer' && a.status === 'accepted' &&
			    (r.state === 'scheduled' || r.state === 'active'))
				body.appendChild(logForm(a, r, reload));
		}
		load();
		return sec;
	}

	return {section: section, hm: hm};
})();
