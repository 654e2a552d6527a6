/*
 * coordinator.js: a school coordinator's pages.  Dashboard; students with
 * search, each one's matches (and why nothing matches), guardian consent
 * and sign-in code; roster upload checked before anything is stored;
 * applications of all students; sign-in codes for a class, printable;
 * the audit log with verify; connections with plain hints.
 */
'use strict';

(function () {
	var el = M.el, $ = M.$, t = M.t;

	var LABELS = {
		students: 'Students', with_matches: 'With at least one match',
		matched: 'With at least one match', applied: 'Applied',
		accepted: 'Accepted', pending: 'Waiting for an answer',
		declined: 'Declined', listings: 'Live listings',
		peers: 'Connections', connected: 'Connected',
		applications: 'Applications', consents: 'Consents on record'
	};

	function label(k) {
		if (LABELS[k])
			return LABELS[k];
		var s = String(k).replace(/_/g, ' ');
		return s.charAt(0).toUpperCase() + s.slice(1);
	}

	function cell(v, k) {
		if (v === null || v === undefined)
			return '';
		if (typeof v === 'boolean')
			return v ? 'yes' : 'no';
		if (Array.isArray(v))
			return v.map(function (x) { return cell(x); }).join(', ');
		if (typeof v === 'object')
			return W.nameOf(v);
		if (/^(last_contact|ts|recorded|expires|created|since|when)$/.test(k ||
		    '') && (typeof v === 'number' || /^\d{4}-/.test(v)))
			return M.datetime(v);
		return String(v);
	}

	/* A value of unknown shape as people read it: figures, tables, lists. */
	function generic(v, title) {
		var box = el('div');
		if (Array.isArray(v)) {
			if (!v.length)
				return el('p', {class: 'empty'}, title + ': none.');
			if (typeof v[0] !== 'object')
				return el('p', null, title + ': ' + v.join(', '));
			var keys = [];
			v.forEach(function (r) {
				Object.keys(r).forEach(function (k) {
					if (keys.indexOf(k) < 0 && !/^(node_id|hash|prev|author)$/.test(k))
						keys.push(k);
				});
			});
			return W.table(keys.map(label), v.map(function (r) {
				return keys.map(function (k) { return cell(r[k], k); });
			}), null);
		}
		if (v && typeof v === 'object') {
			var ks = Object.keys(v);
			if (ks.every(function (k) { return typeof v[k] !== 'object' ||
			    v[k] === null; }))
				return W.table(['', 'Count'], ks.map(function (k) {
					return [label(k), cell(v[k], k)];
				}), null);
			ks.forEach(function (k) {
				box.appendChild(el('h2', null, label(k)));
				box.appendChild(generic(v[k], label(k)));
			});
			return box;
		}
		return el('p', null, title + ': ' + cell(v));
	}

	/* ---- dashboard ---- */

	function pretty(code) {
		var x = String(code).replace(/[-_]/g, ' ');
		return x.charAt(0).toUpperCase() + x.slice(1);
	}

	function countTable(obj, what, words) {
		var ks = Object.keys(obj || {}).sort(function (a, b) {
			return obj[b] - obj[a] || (a < b ? -1 : 1);
		});
		if (!ks.length)
			return el('p', {class: 'empty'}, 'None yet.');
		return W.table([what, 'Live listings'], ks.map(function (k) {
			return [words ? M.words('modality', k) : W.nameOf(k) !== k ?
			    W.nameOf(k) : pretty(k),
			    String(obj[k])];
		}), 'Live listings by ' + what.toLowerCase());
	}

	function figure(n, what) {
		return el('li', null, el('span', {class: 'n'}, String(n)), what);
	}

	/* The node's dashboard: {students, listings, peers, consents_expiring}. */
	function dashboardView(box, d) {
		var s = d.students, l = d.listings, p = d.peers;
		box.appendChild(el('ul', {class: 'figures'},
		    figure(s.total, 'Students'),
		    figure(s.with_matches, 'With at least one match'),
		    figure(s.applied, 'Applied'),
		    figure(s.accepted, 'Accepted')));
		if (s.checked !== undefined && s.checked < s.total)
			box.appendChild(el('p', {class: 'hint'}, 'Matches were ' +
			    'counted for the first ' + s.checked + ' students.'));
		box.appendChild(el('div', {class: 'cards'},
		    el('section', {class: 'card'}, el('h2', null, l.live +
		    ' live listings by career cluster'), countTable(l.by_cluster,
		    'Cluster')),
		    el('section', {class: 'card'}, el('h2', null,
		    'Live listings by format'), countTable(l.by_format, 'Format',
		    true))));
		box.appendChild(el('section', {class: 'card'}, el('h2', null,
		    'Connections: ' + p.connected + ' of ' + p.total + ' connected'),
		    p.list && p.list.length ? peerTable(p.list) : el('p', null,
		    'No connections yet.')));
		var ex = d.consents_expiring || [];
		box.appendChild(el('section', {class: 'card'}, el('h2', null,
		    'Consents expiring in the next 30 days'), ex.length ?
		    W.table(['Student', 'Expires'], ex.map(function (c) {
			return [el('a', {href: '#student=' +
			    encodeURIComponent(c.student)}, c.student),
			    M.date(c.expires)];
		    }), 'Consents expiring') : el('p', null, 'None.')));
	}

	function dashboard() {
		var box = $('dashboard');
		return M.loading(box, M.api('dashboard', {})).then(function (d) {
			if (d && d.students && typeof d.students === 'object' &&
			    d.listings && d.peers)
				return dashboardView(box, d);
			var figs = el('ul', {class: 'figures'});
			var rest = {};
			var src = d.counts && typeof d.counts === 'object' ? d.counts : d;
			Object.keys(src).forEach(function (k) {
				if (typeof src[k] === 'number')
					figs.appendChild(el('li', null, el('span',
					    {class: 'n'}, String(src[k])), label(k)));
			});
			Object.keys(d).forEach(function (k) {
				if (typeof d[k] === 'object' && k !== 'counts')
					rest[k] = d[k];
			});
			box.appendChild(figs);
			Object.keys(rest).forEach(function (k) {
				var sec = el('section', {class: 'card'}, el('h2', null,
				    label(k)));
				if (/peers/.test(k) && Array.isArray(rest[k]))
					sec.appendChild(peerTable(rest[k]));
				else
					sec.appendChild(generic(rest[k], label(k)));
				box.appendChild(sec);
			});
		}, function (e) {
			if (M.missing(e))
				return fallbackDashboard(box);
			throw e;
		});
	}

	/* Without the dashboard command: counts from the commands we have. */
	function fallbackDashboard(box) {
		M.clear(box);
		return Promise.all([M.api('status'), M.api('application.list', {})])
		    .then(function (rr) {
			var s = rr[0], apps = rr[1] || [];
			var figs = el('ul', {class: 'figures'});
			[['Students', s.students], ['Live listings', s.listings],
			    ['Connections', s.peers], ['Applications', apps.length],
			    ['Accepted', apps.filter(function (a) {
				return a.status === 'accepted';
			    }).length]].forEach(function (f) {
				figs.appendChild(el('li', null, el('span', {class: 'n'},
				    String(f[1])), f[0]));
			});
			box.appendChild(figs);
		});
	}

	/* ---- students ---- */

	function students() {
		var box = $('students');
		var q = $('sq').value.trim();
		return M.loading(box, M.api('student.list', q ? {q: q} : {}))
		    .then(function (r) {
			var list = Array.isArray(r) ? r : (r && r.students) || [];
			if (q && !r.filtered) {
				var lq = q.toLowerCase();
				list = list.filter(function (s) {
					return String(s.id).toLowerCase().indexOf(lq) >= 0 ||
					    String(s.name || '').toLowerCase().indexOf(lq) >= 0;
				});
			}
			box.appendChild(el('p', {class: 'count', role: 'status'},
			    list.length + (list.length === 1 ? ' student' :
			    ' students')));
			if (!list.length)
				return;
			box.appendChild(W.table(['Name', 'ID', 'Grade', 'Born'],
			    list.map(function (s) {
				return [el('a', {href: '#student=' +
				    encodeURIComponent(s.id)}, s.name || s.id), s.id,
				    s.grade === undefined || s.grade === null ? '' :
				    String(s.grade), s.birth_date ? M.date(s.birth_date) :
				    ''];
			    }), 'Students'));
		});
	}

	var current = null;

	function student(id) {
		current = id;
		var box = $('student');
		M.say('consent-msg', '');
		M.clear($('code-one-out'));
		$('consent-form').reset();
		return M.loading(box, M.api('student.show', {id: id, names: true})).then(
		    function (p) {
			$('student-h').textContent = p.name || p.id;
			var comps = p.competencies || {};
			var names = p.competency_names || p.names || {};
			box.appendChild(W.dl([
				['Student ID', p.id],
				['Grade', p.grade === undefined ? '' : String(p.grade)],
				['Born', p.birth_date ? M.date(p.birth_date) : ''],
				['Formats', (p.modality || []).map(function (m) {
					return M.words('modality', m);
				}).join(', ')],
				['Travel', p.max_distance_km ? M.km(p.max_distance_km) :
				    ''],
				['Career clusters', ((p.goals || {}).clusters || [])
				    .map(function (c) {
					return W.nameOf(c, p.cluster_names || names);
				    }).join(', ')],
				['Jobs', ((p.goals || {}).occupations || []).map(
				    function (c) {
					return W.nameOf(c, p.occupation_titles || names);
				    }).join(', ')]
			]));
			var keys = Array.isArray(comps) ? comps : Object.keys(comps);
			if (keys.length)
				box.appendChild(W.table(['Skill', 'Level'], keys.map(
				    function (k) {
					if (typeof k === 'object')
						return [k.name || k.id, M.level(k.level)];
					var v = comps[k];
					return typeof v === 'object' ? [v.name ||
					    W.nameOf(k, names), M.level(v.level)] :
					    [W.nameOf(k, names), M.level(v)];
				    }), 'Skills'));
			matches(id);
			consents(id);
		});
	}

	function matches(id) {
		var box = $('student-matches');
		return M.loading(box, M.api('match', {student: id, top: 10})).then(
		    function (r) {
			var list = (r && r.matches) || [];
			if (!list.length) {
				box.appendChild(el('p', null,
				    'Nothing matches this student right now.'));
				var why = r && (r.why_none || r.why_nothing || r.why);
				if (why && why.length) {
					box.appendChild(el('h3', null, 'Why nothing matches'));
					box.appendChild(W.reasons(why));
				} else {
					box.appendChild(el('p', {class: 'hint'},
					    'Check the formats they accept, their location and ' +
					    'travel distance, their age against listings\' ' +
					    'minimum age, and whether listings have reached ' +
					    'this node (Connections).'));
				}
				return W.whyNothing(id, box, 'Why nothing matches: the ' +
				    'nearest listings and what rules each out');
			}
			box.appendChild(el('ol', {class: 'cards-list'}, list.map(
			    function (m) {
				return el('li', {class: 'card'}, el('h3', null,
				    m.title || m.listing), el('p', {class: 'fit'},
				    el('strong', null, 'Fit: ' + m.score + ' out of 100')),
				    W.reasons(m.reasons));
			    })));
		});
	}

	function consents(id) {
		var box = $('consents');
		return M.loading(box, M.api('consent.list', {student: id})).then(
		    function (r) {
			var list = (Array.isArray(r) ? r : (r && r.consents) || [])
			    .filter(function (c) { return !c.student || c.student === id; });
			if (!list.length) {
				box.appendChild(el('p', null, 'No guardian consent is on ' +
				    'record. A student under 18 cannot apply until one is.'));
				return;
			}
			box.appendChild(W.table(['Guardian', 'Recorded', 'Covers',
			    'Valid until', 'State', ''], list.map(function (c) {
				var b = null;
				if (c.current) {
					b = el('button', {type: 'button', class: 'danger',
					    'aria-label': 'Revoke the consent of ' + c.guardian},
					    'Revoke');
					b.addEventListener('click', function () {
						revoke(id, b);
					});
				}
				return [c.guardian, M.datetime(c.recorded), (c.scope ||
				    []).map(function (s) {
					return s === 'under13' ? 'under 13' : s === 'apply' ?
					    'applying' : s;
				    }).join(', '), c.expires ? M.date(c.expires) : 'no end',
				    c.current ? 'current' : c.revoked ? 'revoked' :
				    'expired', b];
			    }), 'Consents'));
		});
	}

	function revoke(id, btn) {
		M.busy(btn, M.api('consent.revoke', {student: id}), 'Revoking…')
		    .then(function () {
			M.say('consent-msg', 'Consent revoked. The student cannot ' +
			    'apply until a new one is recorded.', 'ok');
			consents(id);
		}, function (e) {
			M.say('consent-msg', M.errText(e), 'error');
		});
	}

	function addConsent() {
		var form = $('consent-form');
		var g = $('guardian').value.trim();
		M.clearErrors(form);
		M.say('consent-msg', '');
		if (!g) {
			M.fieldError($('guardian'), 'Type the guardian\'s name.');
			$('guardian').focus();
			return;
		}
		var args = {student: current, guardian: g};
		if ($('c-expires').value)
			args.expires = $('c-expires').value;
		if ($('c-under13').checked)
			args.scope = ['apply', 'under13'];
		M.busy(form.querySelector('button[type=submit]'),
		    M.api('consent.add', args), 'Recording…').then(function () {
			form.reset();
			M.say('consent-msg', 'Consent recorded.', 'ok');
			consents(current);
		}, function (e) {
			M.formErrors(form, e, function (f) {
				return f === 'expires' ? 'expires' : f === 'guardian' ?
				    'guardian' : null;
			});
		});
	}

	/* ---- sign-in codes ---- */

	function grouped(code) {
		var c = String(code || '');
		if (/^[A-Z0-9]{10}$/.test(c))
			return c.slice(0, 4) + '-' + c.slice(4, 8) + '-' + c.slice(8);
		return c;
	}

	function codeList(r) {
		return Array.isArray(r) ? r : (r && (r.codes || r.students)) ||
		    (r && r.code ? [r] : []);
	}

	function codeCard(c) {
		return el('div', {class: 'code-card'},
		    el('p', null, el('strong', null, c.name || c.student),
		    c.name ? ' (' + c.student + ')' : ''),
		    el('p', null, 'Code: ', el('span', {class: 'the-code'},
		    c.grouped || grouped(c.code))),
		    c.url ? el('p', null, 'Or open: ', el('span', {class: 'code'},
		    c.url)) : null);
	}

	function makeCodes(ids, out, btn) {
		var args = ids.length ? {students: ids} : {all: true};
		return M.busy(btn, M.api('web.code', args), 'Making codes…').then(
		    function (r) {
			var list = codeList(r);
			M.clear(out);
			out.appendChild(el('p', {class: 'no-print', role: 'status'},
			    list.length + ' code(s) made. Older codes of these ' +
			    'students no longer work.'));
			list.forEach(function (c) { out.appendChild(codeCard(c)); });
			return list;
		}, function (e) {
			M.clear(out);
			out.appendChild(el('p', {class: 'msg msg-error',
			    role: 'alert'}, M.errText(e)));
		});
	}

	function codes() {
		return null;
	}

	/* ---- roster ---- */

	var rosterText = null;

	function problems(e, r) {
		var list = [];
		var more = 0;
		if (e && e.details && Array.isArray(e.details.errors) &&
		    e.details.errors.length) {
			list = e.details.errors;
			more = (e.details.error_count || list.length) - list.length;
		} else if (e && e.fields)
			list = e.fields;
		else if (r && Array.isArray(r.errors))
			list = r.errors;
		else if (e)
			list = [{message: e.raw || M.errText(e)}];
		var out = list.map(function (x) {
			if (typeof x === 'string')
				return x;
			var m = String(x.message || x.reason || x.error || '');
			var col = x.column || x.field || '';
			var where = x.line && !/^(line|item) \d/i.test(m) ?
			    'Line ' + x.line : '';
			if (col && m.indexOf(col) !== 0)
				where += (where ? ', ' : '') + col;
			if (x.value)
				where += ' “' + x.value + '”';
			return (where ? where + ': ' : '') + m.charAt(0).toUpperCase() +
			    m.slice(1);
		});
		if (more > 0)
			out.push('…and ' + more + ' more.');
		return out;
	}

	function showProblems(out, list) {
		out.appendChild(el('div', {class: 'form-errors', role: 'alert'},
		    el('p', null, list.length === 1 ? '1 problem was found. ' +
		    'Nothing was stored. Fix it in your file and check again.' :
		    list.length + ' problems were found. Nothing was stored. ' +
		    'Fix them in your file and check again.'),
		    el('ul', {class: 'problems'}, list.map(function (s) {
			return el('li', null, s);
		    }))));
	}

	function readFile(f) {
		return new Promise(function (ok, fail) {
			var rd = new FileReader();
			rd.onload = function () { ok(rd.result); };
			rd.onerror = function () { fail(rd.error); };
			rd.readAsText(f);
		});
	}

	function rosterCheck() {
		var form = $('roster-form');
		var out = M.clear($('roster-out'));
		var f = $('roster-file').files[0];
		M.clearErrors(form);
		M.show('roster-import', false);
		rosterText = null;
		if (!f) {
			M.fieldError($('roster-file'), 'Choose a file first.');
			$('roster-file').focus();
			return;
		}
		M.busy($('roster-check'), M.loading(out, readFile(f).then(
		    function (txt) {
			rosterText = txt;
			return M.upload('student.import', {format: 'csv',
			    dry_run: true}, txt, 'text/csv');
		    })), 'Checking…').then(function (r) {
			var errs = r && Array.isArray(r.errors) && r.errors.length;
			if (errs || (r && r.ok === false)) {
				showProblems(out, problems(null, r));
				rosterText = null;
				return;
			}
			var n = r.imported !== undefined ? r.imported :
			    r.students !== undefined ? r.students : r.rows;
			if (!r.dry_run) {
				/* A node without dry runs imported at once: say so. */
				rosterText = null;
				out.appendChild(el('div', {class: 'msg msg-ok', role:
				    'status'}, el('p', null, 'Imported ' + n +
				    ' student(s) (this node cannot check a file ' +
				    'without importing it).')));
				return;
			}
			out.appendChild(el('div', {class: 'msg msg-ok', role: 'status'},
			    el('p', null, 'No problems found: ' + n + ' student(s)' +
			    (r.created !== undefined ? ' (' + r.created + ' new, ' +
			    r.updated + ' updated)' : '') + ' will be imported. ' +
			    'Nothing is stored yet.')));
			M.show('roster-import', true);
			$('roster-import').focus();
		}, function (e) {
			M.clear(out);
			rosterText = null;
			showProblems(out, problems(e, null));
			out.querySelector('.form-errors').setAttribute('tabindex', '-1');
			out.querySelector('.form-errors').focus();
		});
	}

	/*
	 * Whether the node checks a roster without storing it: an empty file
	 * (the header alone) as a dry run stores nothing either way.
	 */
	function rosterProbe() {
		M.upload('student.import', {format: 'csv', dry_run: true},
		    'id,name,birth_date,grade,lat,lon,max_distance_km,modality,' +
		    'clusters,occupations,competencies\n', 'text/csv').then(function (r) {
			if (r && r.dry_run)
				return;
			$('roster-check').textContent = 'Import';
			M.clear($('roster-lead')).appendChild(document.createTextNode(
			    'Choose a CSV file from your student information ' +
			    'system. This node imports it at once: one bad row ' +
			    'imports nothing, and the problem is shown with its line.'));
		}, function () { return null; });
	}

	function rosterImport() {
		var out = $('roster-out');
		if (rosterText === null)
			return;
		M.busy($('roster-import'), M.loading(out, M.upload('student.import',
		    {format: 'csv'}, rosterText, 'text/csv')), 'Importing…').then(
		    function (r) {
			M.show('roster-import', false);
			rosterText = null;
			out.appendChild(el('div', {class: 'msg msg-ok', role: 'status',
			    tabindex: '-1'}, el('p', null, 'Imported ' + r.imported +
			    ' student(s)' + (r.created !== undefined ? ': ' + r.created +
			    ' new, ' + r.updated + ' updated.' : '.'))));
			out.lastChild.focus();
		}, function (e) {
			showProblems(out, problems(e, null));
		});
	}

	/* ---- applications, audit, peers ---- */

	function applications() {
		var box = $('apps');
		M.clear($('apps-withdraw'));
		return M.loading(box, M.api('application.list', {})).then(
		    function (r) {
			var list = Array.isArray(r) ? r : (r && r.applications) || [];
			if (!list.length) {
				box.appendChild(el('p', {class: 'empty'},
				    'No student has applied yet.'));
				return;
			}
			box.appendChild(W.table(['Student', 'Opportunity', 'Status',
			    'Placement', 'Note', 'Actions'], list.map(function (a) {
				return [a.student ? el('a', {href: '#student=' +
				    encodeURIComponent(a.student)}, a.student_name ||
				    a.student) : '', el('a', {href: '#placement=' +
				    encodeURIComponent(a.id)}, a.title || a.listing),
				    W.statusBadge(a.status), P.rowState(a), a.note || '',
				    P.canWithdraw(a) ? P.withdrawButton(a,
				    $('apps-withdraw'), 'school', function (text) {
					return applications().then(function () {
						M.say('apps-msg', text, 'ok');
					});
				    }, 'link danger') : ''];
			    }), 'Applications of all students'));
		});
	}

	var ACTIONS = {consent: 'Consent recorded', revoke: 'Consent revoked',
	    disclose: 'Data sent to an employer', delete: 'Student deleted',
	    consent_revoke: 'Consent revoked',
	    'student-update': 'Profile changed'};

	function audit() {
		var box = $('audit');
		M.say('audit-msg', '');
		return M.loading(box, M.api('audit.list', {})).then(function (r) {
			var list = Array.isArray(r) ? r : (r && r.entries) || [];
			if (!list.length) {
				box.appendChild(el('p', {class: 'empty'},
				    'The log is empty.'));
				return;
			}
			box.appendChild(W.table(['#', 'When', 'What', 'Student',
			    'Details'], list.slice().reverse().map(function (e) {
				var d = [];
				if (e.fields)
					d.push('fields: ' + e.fields.join(', '));
				if (e.to)
					d.push('to ' + e.to.slice(0, 12) + '…');
				if (e.consent)
					d.push(String(e.consent));
				if (e.scope)
					d.push('scope: ' + e.scope.join(', '));
				if (e.by)
					d.push('by ' + e.by);
				return [String(e.seq), M.datetime(e.ts),
				    ACTIONS[e.action] || e.action, String(e.student ||
				    '').slice(0, 8), d.join('; ')];
			    }), 'Audit log, newest first'));
		});
	}

	function verify() {
		M.busy($('audit-verify'), M.api('audit.verify', {}), 'Verifying…')
		    .then(function (r) {
			if (r.ok)
				M.say('audit-msg', 'The log is intact: ' + r.entries +
				    ' entries, none altered, removed or inserted.', 'ok');
			else
				M.say('audit-msg', 'The log was tampered with' +
				    (r.first_bad || r.seq ? ' at entry ' + (r.first_bad ||
				    r.seq) : '') + (r.message ? ': ' + r.message : '') +
				    '.', 'error');
		}, function (e) {
			M.say('audit-msg', 'The log was tampered with: ' +
			    M.errText(e), 'error');
		});
	}

	function hint(p) {
		if (p.hint)
			return p.hint;
		if (p.suspended)
			return 'Paused for sending bad data; it is tried again later.';
		if (p.connected)
			return 'Working.';
		if (!p.last_contact)
			return 'Never reached: waiting for the other side to add this ' +
			    'node, or the address is wrong.';
		return 'Not reachable since ' + M.datetime(p.last_contact) + '.';
	}

	function peerTable(list) {
		return W.table(['Name', 'Kind', 'Connected', 'Last contact',
		    'What it means'], list.map(function (p) {
			return [p.name || p.organization || String(p.node_id).slice(0,
			    12) + '…', p.role || '', el('span', {class: 'badge badge-' +
			    (p.connected ? 'yes' : 'no')}, p.connected ? 'yes' : 'no'),
			    p.last_contact ? M.datetime(p.last_contact) : 'never',
			    hint(p)];
		}), 'Connections');
	}

	function peers() {
		var box = $('peers');
		return M.loading(box, M.api('peer.list', {})).then(function (r) {
			var list = Array.isArray(r) ? r : (r && r.peers) || [];
			if (!list.length) {
				box.appendChild(el('p', null, 'This node has no connections ' +
				    'yet. Its operator adds a hub with “mentorctl peer add”.'));
				return;
			}
			box.appendChild(peerTable(list));
		});
	}

	/* ---- start ---- */

	M.start(['coordinator', 'admin'], false).then(function (x) {
		/* Cluster names for the pages (ignored when the node has none). */
		return W.clusterList().then(function () { return x; },
		    function () { return x; });
	}).then(function () {
		M.onSubmit($('student-search'), function () {
			students();
		});
		M.onSubmit($('consent-form'), addConsent);
		M.onSubmit($('roster-form'), rosterCheck);
		rosterProbe();
		$('roster-import').addEventListener('click', rosterImport);
		$('audit-verify').addEventListener('click', verify);
		$('code-one').addEventListener('click', function () {
			makeCodes([current], $('code-one-out'), $('code-one'));
		});
		$('code-revoke').addEventListener('click', function () {
			var b = $('code-revoke');
			M.busy(b, M.api('web.code.revoke', {student: current}),
			    'Stopping…').then(function () {
				M.say('code-one-out', 'Their code no longer works and ' +
				    'they were signed out.', 'ok');
			}, function (e) {
				M.say('code-one-out', M.errText(e), 'error');
			});
		});
		M.onSubmit($('codes-form'), function () {
			var ids = $('codes-ids').value.split(/[\s,;]+/).filter(Boolean);
			makeCodes(ids, $('codes-out'), $('codes-go')).then(function (l) {
				M.show('codes-print', l && l.length);
			});
		});
		$('codes-print').addEventListener('click', function () {
			window.print();
		});
		M.route({dashboard: dashboard, students: students, student: student,
		    roster: function () { return null; }, applications: applications,
		    codes: codes, audit: audit, peers: peers,
		    placements: function () {
			return P.staffList($('placements'), 'school',
			    $('plcs-msg'));
		    },
		    placement: function (id) {
			return P.staffPage($('placement'), id, 'school',
			    $('plc-msg'));
		    }}, 'dashboard');
	});
})();
