/*
 * student.js: the student's pages.  My matches (with reasons), browsing
 * every live listing with its fit, a listing with why it is or is not a
 * match and the application form, my applications, my profile (skills
 * read-only, goals and formats editable).  English and Spanish.
 */
'use strict';

(function () {
	var el = M.el, $ = M.$, t = M.t;
	var me = null;
	var clusters = null;	/* [{code, name}] from the node's frameworks */
	var seen = {};		/* listing id -> my match, from the last match */

	function pretty(code) {
		var s = String(code).replace(/[-_]/g, ' ');
		return s.charAt(0).toUpperCase() + s.slice(1);
	}

	/* The node's career clusters (both frameworks), once. */
	function loadClusters() {
		if (clusters)
			return Promise.resolve(clusters);
		return W.fwSearch('cluster', '', 100).then(function (l) {
			clusters = l.map(function (x) {
				return {code: x.code || x.id, name: W.nameOf(x)};
			});
			return clusters;
		}, function () {
			clusters = [];
			return clusters;
		});
	}

	function clusterName(code) {
		var i;
		for (i = 0; clusters && i < clusters.length; i++)
			if (clusters[i].code === code)
				return clusters[i].name;
		return pretty(code);
	}

	function fitLine(score) {
		return el('p', {class: 'fit'}, el('strong', null,
		    t('fit.score', {n: score})), ' ',
		    el('span', {class: 'meter', 'aria-hidden': 'true'},
		    el('span', {class: 'meter-bar', 'data-pct': String(score)})));
	}

	/* Bars are sized by class, not inline style (the CSP forbids it). */
	function sizeBars(root) {
		var l = root.querySelectorAll('.meter-bar[data-pct]');
		var i, p;
		for (i = 0; i < l.length; i++) {
			p = Math.max(0, Math.min(100, Number(l[i].getAttribute(
			    'data-pct')) || 0));
			l[i].className = 'meter-bar w' + (Math.round(p / 5) * 5);
		}
	}

	/* ---- my matches ---- */

	function matches() {
		var box = $('matches');
		return M.loading(box, M.api('match', {student: me.student,
		    top: 20})).then(function (r) {
			var list = (r && r.matches) || [];
			list.forEach(function (m) { seen[m.listing] = m; });
			if (!list.length) {
				box.appendChild(el('div', {class: 'card empty'},
				    el('h2', null, t('matches.none_h')),
				    el('p', null, t('matches.none_p')),
				    W.reasons(r && (r.why_none || r.why_nothing ||
				    r.why)),
				    el('p', null, el('a', {href: '#browse'},
				    t('matches.browse')))));
				return W.whyNothing(me.student, box.lastChild,
				    t('matches.why_none'));
			}
			var ol = el('ol', {class: 'cards-list'});
			list.forEach(function (m) {
				ol.appendChild(el('li', {class: 'card match'},
				    el('h2', null, el('a', {href: '#listing=' +
				    encodeURIComponent(m.listing)}, m.title ||
				    t('untitled'))),
				    m.organization ? el('p', {class: 'org'},
				    m.organization) : null,
				    fitLine(m.score),
				    W.reasons(m.reasons)));
			});
			box.appendChild(ol);
			sizeBars(box);
		});
	}

	/* ---- browse ---- */

	function searchArgs() {
		var a = {student: me.student};
		var q = $('q').value.trim();
		if (q)
			a.q = q;
		['kind', 'cluster', 'modality'].forEach(function (k) {
			if ($(k).value)
				a[k] = $(k).value;
		});
		if ($('max_km').value)
			a.max_km = Number($('max_km').value);
		return a;
	}

	function fitOf(x) {
		var f = x.fit || {};
		if (typeof f === 'number')
			f = {score: f};
		var why = f.why_not || x.why_not || [];
		return {score: f.score !== undefined ? f.score : x.score,
		    reasons: f.reasons || x.reasons || [], why_not: why,
		    matched: f.matched !== undefined ? f.matched : !why.length,
		    km: f.distance_km !== undefined ? f.distance_km :
		    x.distance_km};
	}

	function search() {
		var form = $('search-form');
		var box = $('results');
		M.clearErrors(form);
		var btn = form.querySelector('button[type=submit]');
		return M.busy(btn, M.loading(box, M.api('listing.search',
		    searchArgs())), t('browse.searching')).then(function (r) {
			var list = Array.isArray(r) ? r : (r && (r.listings ||
			    r.results)) || [];
			var total = r && r.total !== undefined ? r.total : list.length;
			box.appendChild(el('p', {class: 'count', role: 'status'},
			    t('browse.count', {n: total})));
			if (!clusters || !clusters.length)
				moreClusters(list);
			var ol = el('ul', {class: 'cards-list'});
			list.forEach(function (x) {
				var f = fitOf(x);
				var li = el('li', {class: 'card result'},
				    el('h2', null, el('a', {href: '#listing=' +
				    encodeURIComponent(x.id)}, x.title ||
				    t('untitled'))),
				    el('p', {class: 'org'}, [x.organization,
				    M.words('kind', x.kind), M.words('modality',
				    x.modality), x.modality !== 'virtual' &&
				    f.km !== undefined && f.km !== null ?
				    M.km(f.km) : null].filter(
				    Boolean).join(' · ')));
				if (f.matched && f.score !== undefined)
					li.appendChild(fitLine(f.score));
				else if (f.why_not.length)
					li.appendChild(el('p', {class: 'notfit'},
					    t('fit.not'), ' ', M.reason(f.why_not[0])));
				ol.appendChild(li);
			});
			box.appendChild(ol);
			sizeBars(box);
		}, function (e) {
			if (M.missing(e)) {
				M.clear(box);
				form.hidden = true;
				box.appendChild(el('p', {class: 'msg msg-info'},
				    t('browse.unavailable')));
				return;
			}
			M.formErrors(form, e);
		});
	}

	function browse() {
		return search();
	}

	/* Without framework.search: offer the clusters the listings carry. */
	function moreClusters(list) {
		var s = $('cluster');
		var have = {};
		var i;
		for (i = 0; i < s.options.length; i++)
			have[s.options[i].value] = true;
		list.forEach(function (x) {
			(x.clusters || []).forEach(function (c) {
				if (!have[c]) {
					have[c] = true;
					s.appendChild(el('option', {value: c}, W.nameOf(c) !== c ?
					    W.nameOf(c) : pretty(c)));
				}
			});
		});
	}

	function fillClusterFilter() {
		return loadClusters().then(function (l) {
			var s = $('cluster');
			l.forEach(function (c) {
				s.appendChild(el('option', {value: c.code}, c.name));
			});
		});
	}

	/* ---- one listing ---- */

	function consentProblem(e) {
		return /consent|guardian/i.test(e.raw || '');
	}

	function listing(id) {
		var box = $('listing');
		M.show('apply', false);
		M.show('apply-form', true);
		M.clearErrors($('apply-form'));
		M.say('apply-msg', '');
		return M.loading(box, M.api('listing.show', {id: id,
		    student: me.student})).then(function (l) {
			box.appendChild(W.listingView(l, {head: 'h2'}));
			var f = fitOf(l);
			if (!l.fit && !l.why_not && seen[id])
				f = fitOf(seen[id]);
			var fit = el('section', {class: 'card fitbox',
			    'aria-labelledby': 'fit-h'});
			if (f.why_not.length) {
				fit.appendChild(el('h2', {id: 'fit-h'},
				    t('fit.why_not_h')));
				fit.appendChild(W.reasons(f.why_not));
			} else {
				fit.appendChild(el('h2', {id: 'fit-h'}, t('fit.why_h')));
				if (f.score !== undefined)
					fit.appendChild(fitLine(f.score));
				var rs = W.reasons(f.reasons);
				if (rs)
					fit.appendChild(rs);
			}
			box.appendChild(fit);
			sizeBars(box);
			if (!l.full) {
				M.show('apply', true);
				$('apply-form').setAttribute('data-listing', id);
			}
		});
	}

	function apply() {
		var form = $('apply-form');
		var id = form.getAttribute('data-listing');
		var msg = $('message').value.trim();
		M.clearErrors(form);
		M.say('apply-msg', '');
		if (!msg) {
			M.fieldError($('message'), t('apply.need_message'));
			$('message').focus();
			return;
		}
		var btn = form.querySelector('button[type=submit]');
		M.busy(btn, M.api('apply', {student: me.student, listing: id,
		    message: msg}), t('apply.sending')).then(function () {
			$('message').value = '';
			M.show('apply-form', false);
			var box = $('apply-msg');
			M.say(box, t('apply.sent'), 'ok');
			box.appendChild(el('p', null, el('a', {href:
			    '#applications'}, t('apply.see'))));
			box.querySelector('p').setAttribute('tabindex', '-1');
			box.querySelector('p').focus();
		}, function (e) {
			var text = consentProblem(e) ? t('apply.consent') :
			    M.errText(e);
			M.fieldError($('message'), text);
			$('message').focus();
		});
	}

	/* ---- my applications ---- */

	function applications() {
		var box = $('apps');
		M.clear($('withdraw'));
		return M.loading(box, M.api('application.list', {})).then(
		    function (r) {
			var list = Array.isArray(r) ? r : (r && r.applications) || [];
			if (!list.length) {
				box.appendChild(el('p', {class: 'empty'},
				    t('apps.none')));
				return;
			}
			var rows = list.map(function (a) {
				var title = a.title || a.listing;
				var acts = el('span', {class: 'actions'});
				if (a.placement && a.status !== 'pending')
					acts.appendChild(el('a', {href: '#placement=' +
					    encodeURIComponent(a.id), 'aria-label':
					    t('apps.see_placement_label', {title: title})},
					    t('apps.see_placement')));
				if (P.canWithdraw(a)) {
					var b = el('button', {type: 'button',
					    class: 'link danger', 'data-withdraw': a.id,
					    'aria-label': t('apps.withdraw_label',
					    {title: title})}, t('plc.wd.button'));
					b.addEventListener('click', function () {
						askWithdraw(a, $('withdraw'), b);
					});
					acts.appendChild(b);
				}
				return [el('a', {href: '#listing=' +
				    encodeURIComponent(a.listing)}, title),
				    W.statusBadge(a.status), P.rowState(a),
				    a.note ? a.note : '',
				    a.created ? M.date(a.created) : '', acts];
			});
			box.appendChild(W.table([t('apps.listing'), t('apps.status'),
			    t('apps.placement'), t('apps.note'), t('apps.sent'),
			    t('apps.actions')], rows, t('apps.h1')));
		});
	}

	/*
	 * The confirmation step for withdrawing a (into box); back to the
	 * button that asked when the student keeps it.
	 */
	function askWithdraw(a, box, from) {
		M.clear(box);
		var f = P.withdrawForm(a, {viewer: 'student',
		    cancel: function () {
			M.clear(box);
			if (from && from.isConnected)
				from.focus();
		    },
		    done: function () {
			M.clear(box);
			var where = box.id === 'withdraw' ? 'apps-msg' : 'plc-msg';
			var again = box.id === 'withdraw' ? applications() :
			    placement(a.id);
			Promise.resolve(again).then(function () {
				M.say(where, t('apps.withdrawn_ok', {title:
				    a.title || a.listing}), 'ok');
				$(where).setAttribute('tabindex', '-1');
				$(where).focus();
			});
		    }});
		box.appendChild(f);
		f.focusFirst();
	}

	/* ---- my placement ---- */

	function placement(id) {
		var box = $('placement');
		M.say('plc-msg', '');
		M.clear($('plc-withdraw'));
		return M.loading(box, M.api('application.show', {id: id})).then(
		    function (a) {
			box.appendChild(P.view(a, 'student'));
			if (typeof H !== 'undefined')
				box.appendChild(H.section(a, 'student'));
			if (P.canWithdraw(a)) {
				var b = el('button', {type: 'button', class: 'danger',
				    'data-withdraw': a.id, 'aria-label':
				    t('apps.withdraw_label', {title: a.title ||
				    a.listing})}, t('plc.wd.button'));
				b.addEventListener('click', function () {
					askWithdraw(a, $('plc-withdraw'), b);
				});
				box.appendChild(el('p', null, b));
			}
		});
	}

	/* ---- my profile ---- */

	var occ = null;

	function competencies(p) {
		var c = p.competencies;
		var names = p.competency_names || p.names || {};
		var list = [];
		if (Array.isArray(c))
			list = c.map(function (x) {
				return {name: x.name || W.nameOf(x.id ||
				    x.competency, names), level: x.level};
			});
		else if (c)
			Object.keys(c).forEach(function (k) {
				var v = c[k];
				list.push(typeof v === 'object' ? {name: v.name ||
				    W.nameOf(k, names), level: v.level} :
				    {name: W.nameOf(k, names), level: v});
			});
		return list;
	}

	function profile() {
		var box = $('profile');
		var form = $('goals-form');
		form.hidden = true;
		return Promise.all([M.loading(box, M.api('student.show',
		    {id: me.student, names: true})), loadClusters()]).then(function (rr) {
			var p = rr[0];
			box.appendChild(W.dl([
				[t('profile.name'), p.name],
				[t('profile.grade'), p.grade !== undefined &&
				    p.grade !== null ? String(p.grade) : ''],
				[t('profile.travel'), p.max_distance_km ?
				    M.km(p.max_distance_km) : '']
			]));
			var comps = competencies(p);
			box.appendChild(el('h2', null, t('profile.skills')));
			box.appendChild(el('p', {class: 'hint'},
			    t('profile.skills_hint')));
			if (comps.length)
				box.appendChild(W.table([t('profile.skill'),
				    t('profile.level')], comps.map(function (c) {
					return [c.name, M.level(c.level)];
				}), t('profile.skills')));
			else
				box.appendChild(el('p', null, t('profile.no_skills')));
			fillGoals(p);
			form.hidden = false;
		});
	}

	function fillGoals(p) {
		var goals = p.goals || {};
		var mods = p.modality || [];
		var boxes = document.querySelectorAll('input[name=fmt]');
		var i;
		for (i = 0; i < boxes.length; i++)
			boxes[i].checked = mods.indexOf(boxes[i].value) >= 0;
		var cb = M.clear($('cluster-boxes'));
		var mine = goals.clusters || [];
		var all = clusters.slice();
		mine.forEach(function (c) {
			if (!all.some(function (x) { return x.code === c; }))
				all.push({code: c, name: clusterName(c)});
		});
		all.forEach(function (c, k) {
			cb.appendChild(el('label', {class: 'check'},
			    el('input', {type: 'checkbox', name: 'cl', value: c.code,
			    id: 'cl' + k, checked: mine.indexOf(c.code) >= 0}),
			    ' ', el('span', null, c.name)));
		});
		if (!occ) {
			occ = W.typeahead({label: t('profile.occupations'),
			    kind: 'occupation', field: 'goals.occupations'});
			$('occ-picker').appendChild(occ.node);
		}
		var titles = p.occupation_titles || goals.occupation_titles ||
		    p.names || {};
		occ.set((goals.occupations || []).map(function (o) {
			return {code: o, name: W.nameOf(o, titles)};
		}));
	}

	function saveGoals() {
		var form = $('goals-form');
		var mods = [], cls = [], i;
		var l = document.querySelectorAll('input[name=fmt]:checked');
		for (i = 0; i < l.length; i++)
			mods.push(l[i].value);
		l = document.querySelectorAll('input[name=cl]:checked');
		for (i = 0; i < l.length; i++)
			cls.push(l[i].value);
		M.clearErrors(form);
		M.say('goals-msg', '');
		if (!mods.length) {
			M.fieldError(form.querySelector('[data-field=modality] input'),
			    t('profile.need_format'));
			form.querySelector('[name=fmt]').focus();
			return;
		}
		var btn = form.querySelector('button[type=submit]');
		M.busy(btn, M.api('student.update', {student: me.student,
		    modality: mods, goals: {clusters: cls,
		    occupations: occ.get().map(function (o) { return o.code; })}}),
		    t('saving')).then(function () {
			M.say('goals-msg', t('profile.saved'), 'ok');
		}, function (e) {
			if (M.missing(e)) {
				M.say('goals-msg', t('profile.unavailable'), 'info');
				return;
			}
			M.formErrors(form, e, function (f) {
				return /^goals\.occupations/.test(f) ?
				    'goals.occupations' : /^goals\.clusters/.test(f) ?
				    'goals.clusters' : /^modality/.test(f) ?
				    'modality' : f;
			});
		});
	}

	/* ---- start ---- */

	var views = {matches: matches, browse: browse, listing: listing,
	    applications: applications, placement: placement,
	    profile: profile};
	var rerun = null;

	M.start(['student'], true).then(function (x) {
		/* Cluster names for the pages (ignored when the node has none). */
		return W.clusterList().then(function () { return x; },
		    function () { return x; });
	}).then(function (s) {
		me = s;
		/* The session knows the student's id; greet them by name. */
		M.api('student.show', {id: s.student}).then(function (p) {
			if (p && p.name)
				$('who').textContent = t('signed_in_student',
				    {name: p.name});
		}, function () { return null; });
		M.onSubmit($('apply-form'), apply);
		M.onSubmit($('search-form'), search);
		fillClusterFilter();
		M.onSubmit($('goals-form'), saveGoals);
		M.langSwitch(function () {
			/* Re-render what is on screen in the new language. */
			if (rerun)
				rerun();
		});
		rerun = M.route(views, 'matches');
	});
})();
