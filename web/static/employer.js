/*
 * employer.js: an employer's pages.  Listings (post, edit as a new
 * version, withdraw) through a form whose clusters, jobs and skills are
 * chosen by name, whose place comes from a ZIP code, and which shows every
 * problem next to its field at once; a preview as students see it; the
 * applications inbox with accept or decline and a note.
 */
'use strict';

(function () {
	var el = M.el, $ = M.$, t = M.t;
	var pickClusters, pickOccupations;
	var rowSeq = 0;
	var mine = {};		/* listing id -> title, for the inbox */

	/* ---- the listing form ---- */

	function skillRow(kind, item) {
		var i = $(kind).children.length;
		var n = ++rowSeq;
		var ta = W.typeahead({label: kind === 'requires' ? 'Skill needed' :
		    'Skill built', kind: 'skill', single: true,
		    field: kind + '[' + i + '].competency'});
		if (item)
			ta.set([{code: item.competency, name: item.name ||
			    W.nameOf(item.competency, item.names)}]);
		var lv = W.levelSelect('lv' + n, item ? item.level :
		    (kind === 'requires' ? 1 : 2), kind + '[' + i + '].level');
		var rm = el('button', {type: 'button', class: 'link'}, 'Remove');
		var row = el('div', {class: 'skillrow', 'data-field':
		    kind + '[' + i + ']'}, ta.node,
		    el('div', {class: 'field'}, el('label', {for: 'lv' + n},
		    'Level'), lv), el('div', {class: 'field'}, rm));
		row.ta = ta;
		row.lv = lv;
		rm.setAttribute('aria-label', 'Remove this skill');
		rm.addEventListener('click', function () {
			row.parentNode.removeChild(row);
			renumber(kind);
			var b = $('add-' + kind);
			b.focus();
		});
		$(kind).appendChild(row);
		return ta;
	}

	/* Keeps data-field paths equal to the positions sent to the node. */
	function renumber(kind) {
		var rows = $(kind).children;
		var i;
		for (i = 0; i < rows.length; i++) {
			rows[i].setAttribute('data-field', kind + '[' + i + ']');
			rows[i].ta.input.setAttribute('data-field',
			    kind + '[' + i + '].competency');
			rows[i].lv.setAttribute('data-field', kind + '[' + i + '].level');
		}
	}

	function skills(kind) {
		var out = [];
		var rows = $(kind).children;
		var i, c;
		for (i = 0; i < rows.length; i++) {
			c = rows[i].ta.get();
			out.push({competency: c.length ? c[0].code : '',
			    level: Number(rows[i].lv.value)});
		}
		return out;
	}

	function num(id) {
		var v = $(id).value.trim();
		return v === '' ? undefined : Number(v);
	}

	/* The listing object from the form (fields left empty are omitted). */
	function listingFromForm() {
		var l = {
			title: $('title').value.trim(),
			kind: $('kind').value,
			organization: $('organization').value.trim(),
			clusters: pickClusters.get().map(function (x) { return x.code; }),
			occupations: pickOccupations.get().map(function (x) {
				return x.code;
			}),
			requires: skills('requires'),
			develops: skills('develops'),
			capacity: num('capacity'),
			modality: $('modality').value
		};
		var d = $('description').value.trim();
		if (d)
			l.description = d;
		if ($('ref').value)
			l.ref = $('ref').value;
		if (num('min_age') !== undefined)
			l.min_age = num('min_age');
		if (l.modality !== 'virtual' || num('lat') !== undefined)
			l.location = {lat: num('lat'), lon: num('lon')};
		['start', 'end'].forEach(function (k) {
			if ($(k).value)
				l[k] = $(k).value;
		});
		if ($('expires').value)
			l.expires = $('expires').value + 'T00:00:00Z';
		return l;
	}

	/* "listings[0].title" or "listing 1: title" → "title". */
	function mapField(f) {
		if (!f)
			return null;
		f = String(f).replace(/^listings?\[\d+\]\.?/, '')
		    .replace(/^listing \d+: /, '');
		if (/^location/.test(f) && !/^location\.(lat|lon)$/.test(f))
			return 'location';
		return f || null;
	}

	/*
	 * Jobs chosen but no skills yet: offer the skills O*NET rates for
	 * the first rated job (listing.suggest), for the employer to add.
	 */
	var suggested = null;	/* the jobs last offered for, joined */

	function offerSkills() {
		var box = $('suggest');
		var occ = pickOccupations.get().map(function (x) { return x.code; });
		var key = occ.join(',');
		if (!occ.length || $('requires').children.length ||
		    $('develops').children.length) {
			M.show(box, false);
			return Promise.resolve();
		}
		if (key === suggested)
			return Promise.resolve();
		suggested = key;
		return M.api('listing.suggest', {listing: {occupations: occ}})
		    .then(function (r) {
			var s = r && r.suggestions && r.suggestions[0];
			if (suggested !== key || !s || !(s.requires.length +
			    s.develops.length)) {
				M.show(box, false);
				return;
			}
			var codes = [s.from].concat(s.requires.concat(s.develops)
			    .map(function (c) { return c.competency; }));
			return M.api('names', {codes: codes}).catch(function () {
				return {};
			}).then(function (names) {
				var list = M.clear($('suggest-list'));
				var name = function (c) {
					return W.nameOf(c, names);
				};
				s.requires.forEach(function (c) {
					list.appendChild(el('li', null, 'Needed: ' +
					    name(c.competency) + ', ' + M.level(c.level)));
				});
				s.develops.forEach(function (c) {
					list.appendChild(el('li', null, 'Built: ' +
					    name(c.competency) + ', up to ' +
					    M.level(c.level)));
				});
				$('suggest-from').textContent = name(s.from);
				box.offer = {s: s, name: name};
				M.show(box, true);
			});
		}, function () {
			M.show(box, false);	/* no O*NET levels on this node */
		});
	}

	function useSkills() {
		var o = $('suggest').offer;
		if (!o)
			return;
		['requires', 'develops'].forEach(function (k) {
			o.s[k].forEach(function (c) {
				skillRow(k, {competency: c.competency, level: c.level,
				    name: o.name(c.competency)});
			});
		});
		M.show('suggest', false);
		M.say('post-msg', 'Added ' + (o.s.requires.length +
		    o.s.develops.length) + ' skills. Change the levels or remove ' +
		    'any of them, then check and preview.', 'ok');
		$('add-requires').focus();
	}

	function zipLookup() {
		var z = $('zip').value.trim();
		var msg = $('zip-msg');
		M.clearErrors($('place'));
		if (!z) {
			M.fieldError($('zip'), 'Type a ZIP code first.');
			$('zip').focus();
			return;
		}
		msg.textContent = '';
		M.busy($('zip-go'), M.api('zip.lookup', {zip: z}), 'Looking…')
		    .then(function (r) {
			$('lat').value = r.lat;
			$('lon').value = r.lon;
			msg.textContent = 'Found' + (r.place || r.name ? ': ' +
			    (r.place || r.name) : '') + ' (' + Number(r.lat)
			    .toFixed(3) + ', ' + Number(r.lon).toFixed(3) + ').';
		}, function (e) {
			M.fieldError($('zip'), M.missing(e) ?
			    'This node cannot look up ZIP codes yet. Type the latitude and longitude instead.' :
			    e.status === 404 ?
			    'That ZIP code is not in this node\'s list. Type the latitude and longitude instead.' :
			    M.errText(e));
			$('zip').focus();
		});
	}

	function preview(l, result) {
		/* The node's dry run answers {listings: [{id, preview}]}. */
		var first = result && result.listings && result.listings[0];
		var shown = first ? first.preview || first : result &&
		    (result.preview || result.listing);
		var body = M.clear($('preview-body'));
		var view = shown && typeof shown === 'object' ? shown : l;
		/* The names the employer chose, for the codes the node sends. */
		var names = {};
		pickClusters.get().concat(pickOccupations.get()).forEach(
		    function (x) { names[x.code] = x.name; });
		['requires', 'develops'].forEach(function (k) {
			var rows = $(k).children, i, c;
			for (i = 0; i < rows.length; i++) {
				c = rows[i].ta.get();
				if (c.length)
					names[c[0].code] = c[0].name;
			}
		});
		view = Object.assign({}, view, {names: Object.assign(names,
		    view.names || {})});
		body.appendChild(W.listingView(view, {head: 'h3'}));
		M.show('preview', true);
	}

	function submit(dry) {
		var form = $('listing-form');
		var l = listingFromForm();
		M.clearErrors(form);
		M.say('post-msg', '');
		var btn = dry ? $('preview-go') : $('publish');
		var args = {listings: [l]};
		if (dry)
			args.dry_run = true;
		return M.busy(btn, M.api('listing.post', args),
		    dry ? 'Checking…' : 'Publishing…').then(function (r) {
			if (dry) {
				preview(l, r);
				M.say('post-msg', 'No problems found. This is how ' +
				    'students will see it; press Publish when ready.',
				    'ok');
				$('preview-h').setAttribute('tabindex', '-1');
				$('preview-h').focus();
				return;
			}
			var id = r && r.ids ? r.ids[0] : '';
			M.say('listings-msg', (l.ref ? 'Published a new version of “' :
			    'Published “') + l.title + '”. It is on its way to the ' +
			    'schools your node reaches.', 'ok');
			resetForm();
			window.location.hash = '#listings';
			return id;
		}, function (e) {
			M.show('preview', false);
			M.formErrors(form, e, mapField);
		});
	}

	function resetForm() {
		var form = $('listing-form');
		form.reset();
		M.clearErrors(form);
		$('ref').value = '';
		M.clear($('requires'));
		M.clear($('develops'));
		pickClusters.set([]);
		pickOccupations.set([]);
		suggested = null;
		M.show('suggest', false);
		M.show('preview', false);
		M.say('post-msg', '');
	}

	function fill(l) {
		resetForm();
		$('ref').value = l.ref || '';
		$('title').value = l.title || '';
		$('kind').value = l.kind || 'job_shadow';
		$('organization').value = l.organization || '';
		$('description').value = l.description || '';
		$('modality').value = l.modality || 'in_person';
		$('capacity').value = l.capacity !== undefined ? l.capacity : '';
		$('min_age').value = l.min_age !== undefined ? l.min_age : '';
		$('lat').value = l.location ? l.location.lat : '';
		$('lon').value = l.location ? l.location.lon : '';
		$('start').value = l.start || '';
		$('end').value = l.end || '';
		$('expires').value = l.expires ? String(l.expires).slice(0, 10) : '';
		var names = l.names || {};
		pickClusters.set((l.clusters || []).map(function (c) {
			return {code: c, name: W.nameOf(c, l.cluster_names || names)};
		}));
		pickOccupations.set((l.occupations || []).map(function (c) {
			return {code: c, name: W.nameOf(c, l.occupation_titles ||
			    names)};
		}));
		(l.requires || []).forEach(function (s) {
			skillRow('requires', {competency: s.competency, level: s.level,
			    name: s.name, names: l.competency_names || names});
		});
		(l.develops || []).forEach(function (s) {
			skillRow('develops', {competency: s.competency, level: s.level,
			    name: s.name, names: l.competency_names || names});
		});
	}

	function post() {
		$('post-h').textContent = 'Post a listing';
		if ($('ref').value)
			resetForm();
		$('title').focus();
	}

	function edit(id) {
		$('post-h').textContent = 'Edit a listing';
		var form = $('listing-form');
		return M.loading($('post-msg'), M.api('listing.show', {id: id}))
		    .then(function (l) {
			M.show('post-msg', false);
			fill(l);
			$('post-lead').textContent = 'Saving publishes a new version: ' +
			    'it replaces the old one everywhere, and the listing keeps ' +
			    'its place in students\' applications.';
			form.hidden = false;
		});
	}

	/* ---- my listings ---- */

	function listings() {
		var box = $('listings');
		return M.loading(box, M.api('listing.list', {mine: true})).then(
		    function (r) {
			var list = Array.isArray(r) ? r : (r && r.listings) || [];
			mine = {};
			list.forEach(function (l) { mine[l.id] = l.title; });
			if (!list.length) {
				box.appendChild(el('p', {class: 'empty'},
				    'You have no live listings. Post one to reach students.'));
				return;
			}
			var rows = list.map(function (l) {
				var ed = el('a', {href: '#edit=' + encodeURIComponent(l.id),
				    'aria-label': 'Edit ' + l.title}, 'Edit');
				var wd = el('button', {type: 'button', class: 'link danger',
				    'aria-label': 'Withdraw ' + l.title}, 'Withdraw');
				wd.addEventListener('click', function () {
					withdraw(l, wd);
				});
				return [l.title, M.words('kind', l.kind),
				    M.words('modality', l.modality), l.full ? 'full' :
				    String(l.capacity === undefined ? '' : l.capacity),
				    l.expires ? M.date(l.expires) : '',
				    el('span', {class: 'actions'}, ed, wd)];
			});
			box.appendChild(W.table(['Title', 'Kind', 'Format', 'Places',
			    'Shown until', 'Actions'], rows, 'My live listings'));
		});
	}

	/* Two steps: the first press asks, the second withdraws. */
	function withdraw(l, btn) {
		if (btn.getAttribute('data-confirm') !== 'yes') {
			btn.setAttribute('data-confirm', 'yes');
			btn.textContent = 'Press again to withdraw';
			return;
		}
		M.busy(btn, M.api('listing.withdraw', {id: l.id}), 'Withdrawing…')
		    .then(function () {
			M.say('listings-msg', 'Withdrew “' + l.title +
			    '”. Schools stop showing it as the withdrawal reaches them.',
			    'ok');
			return listings();
		}, function (e) {
			M.say('listings-msg', M.errText(e), 'error');
		});
	}

	/* ---- the inbox ---- */

	function titleOf(a) {
		return a.title || mine[a.listing] || a.listing;
	}

	function inbox() {
		var box = $('inbox');
		return M.loading(box, Promise.all([M.api('application.list', {}),
		    M.api('listing.list', {mine: true}).catch(function () {
			return [];
		    })])).then(function (rr) {
			var ls = Array.isArray(rr[1]) ? rr[1] : (rr[1] &&
			    rr[1].listings) || [];
			ls.forEach(function (l) { mine[l.id] = l.title; });
			var list = (Array.isArray(rr[0]) ? rr[0] : (rr[0] &&
			    rr[0].applications) || []).filter(function (a) {
				return !a.side || a.side === 'received';
			});
			if (!list.length) {
				box.appendChild(el('p', {class: 'empty'},
				    'No applications yet. They appear here as students apply.'));
				return;
			}
			var rows = list.map(function (a) {
				return [el('a', {href: '#application=' +
				    encodeURIComponent(a.id)}, titleOf(a) +
				    (a.first_name ? ': ' + a.first_name : '')),
				    a.school_name || '', a.received ?
				    M.datetime(a.received) : '',
				    W.statusBadge(a.status)];
			});
			box.appendChild(W.table(['Application', 'School', 'Received',
			    'Status'], rows, 'Applications to my listings'));
		});
	}

	function application(id) {
		var box = $('application');
		var form = $('answer-form');
		form.hidden = true;
		M.say('answer-msg', '');
		return M.loading(box, M.api('application.show', {id: id, names: true}))
		    .then(function (a) {
			return M.api('listing.show', {id: a.listing}).catch(
			    function () { return null; }).then(function (l) {
				render(a, l);
			});
		});
	}

	function render(a, l) {
		var box = $('application');
		var names = a.competency_names || a.names || {};
		var want = {};
		if (l) {
			(l.requires || []).forEach(function (s) {
				want[s.competency] = s;
			});
			(l.develops || []).forEach(function (s) {
				if (!want[s.competency])
					want[s.competency] = s;
			});
			if (l.competency_names || l.names) {
				var ln = l.competency_names || l.names;
				Object.keys(ln).forEach(function (k) {
					if (!names[k])
						names[k] = ln[k];
				});
			}
		}
		var goals = a.goals || {};
		box.appendChild(W.dl([
			['Student', (a.first_name || '') + (a.grade !== undefined &&
			    a.grade !== null ? ', grade ' + a.grade : '')],
			['School', a.school_name || ''],
			['Listing', l ? l.title : titleOf(a)],
			['Sent', a.created ? M.datetime(a.created) : ''],
			['Status', M.words('status', a.status)],
			['Guardian consent', a.consent ? (a.consent.guardian ?
			    'on record at the school' : 'not on record (the student is 18 or older)') : '']
		]));
		var comps = a.competencies || {};
		var keys = Array.isArray(comps) ? comps : Object.keys(comps);
		if (keys.length) {
			box.appendChild(el('h2', null, 'Skills'));
			box.appendChild(W.table(['Skill', 'Their level', 'You asked for'],
			    keys.map(function (k) {
				var id = typeof k === 'object' ? k.id || k.competency : k;
				var lvl = typeof k === 'object' ? k.level : comps[k];
				var nm = typeof k === 'object' && k.name ? k.name :
				    W.nameOf(want[id] && want[id].name ? want[id].name :
				    id, names);
				return [nm, M.level(lvl), want[id] ?
				    M.level(want[id].level) : ''];
			    }), 'The student\'s skills for this listing'));
		}
		var g = [];
		(goals.clusters || []).forEach(function (c) {
			g.push(W.nameOf(c, a.cluster_names || names));
		});
		(goals.occupations || []).forEach(function (c) {
			g.push(W.nameOf(c, a.occupation_titles || names));
		});
		if (g.length) {
			box.appendChild(el('h2', null, 'Career goals'));
			box.appendChild(el('ul', null, g.map(function (x) {
				return el('li', null, x);
			})));
		}
		if (a.message) {
			box.appendChild(el('h2', null, 'Their message'));
			box.appendChild(el('blockquote', {class: 'card desc'},
			    a.message));
		}
		var form = $('answer-form');
		form.setAttribute('data-id', a.id || a.application);
		form.hidden = a.status !== 'pending';
		if (a.status !== 'pending')
			M.say('answer-msg', 'You answered: ' + M.words('status',
			    a.status) + (a.note ? ' — ' + a.note : '') + '.', 'info');
		if (a.placement)
			$('answer-msg').appendChild(el('p', null, el('a', {href:
			    '#placement=' + encodeURIComponent(a.id)},
			    'See the placement')));
	}

	function answer(how) {
		var form = $('answer-form');
		var id = form.getAttribute('data-id');
		var note = $('note').value.trim();
		var args = {id: id};
		if (note)
			args.note = note;
		M.clearErrors(form);
		var btn = how === 'accept' ? $('accept') : $('decline');
		M.busy(btn, M.api('application.' + how, args), how === 'accept' ?
		    'Accepting…' : 'Declining…').then(function () {
			form.hidden = true;
			$('note').value = '';
			M.say('answer-msg', (how === 'accept' ? 'Accepted' :
			    'Declined') + '. The answer is on its way to the student\'s school.',
			    'ok');
			$('answer-msg').setAttribute('tabindex', '-1');
			$('answer-msg').focus();
		}, function (e) {
			M.formErrors(form, e, function (f) {
				return f === 'note' ? 'note' : null;
			});
		});
	}

	/* ---- start ---- */

	M.start(['employer', 'admin'], false).then(function (x) {
		/* Cluster names for the pages (ignored when the node has none). */
		return W.clusterList().then(function () { return x; },
		    function () { return x; });
	}).then(function () {
		pickClusters = W.typeahead({label: 'Career clusters',
		    kind: 'cluster', field: 'clusters',
		    hint: 'Type part of a cluster name (for example “manufacturing”), then pick it.'});
		$('pick-clusters').appendChild(pickClusters.node);
		pickOccupations = W.typeahead({label: 'Jobs (occupations)',
		    kind: 'occupation', field: 'occupations',
		    hint: 'Type part of a job title (for example “welder”), then pick it.',
		    onchange: offerSkills});
		$('suggest-use').addEventListener('click', useSkills);
		$('suggest-no').addEventListener('click', function () {
			M.show('suggest', false);
			$('add-requires').focus();
		});
		$('pick-occupations').appendChild(pickOccupations.node);
		$('add-requires').addEventListener('click', function () {
			skillRow('requires').input.focus();
		});
		$('add-develops').addEventListener('click', function () {
			skillRow('develops').input.focus();
		});
		$('zip-go').addEventListener('click', zipLookup);
		/* A node without ZIP look-up: say so instead of offering it. */
		M.api('zip.lookup', {zip: '00000'}).catch(function (e) {
			if (!M.missing(e))
				return;
			M.show($('zip').closest('.row'), false);
			$('place').insertBefore(el('p', {class: 'hint'}, 'Type the ' +
			    'latitude and longitude of the place (this node cannot ' +
			    'look up ZIP codes).'), $('place').children[1]);
		});
		$('zip').addEventListener('keydown', function (ev) {
			if (ev.key === 'Enter') {
				ev.preventDefault();
				zipLookup();
			}
		});
		$('preview-go').addEventListener('click', function () {
			submit(true);
		});
		M.onSubmit($('listing-form'), function () { submit(false); });
		M.onSubmit($('answer-form'), function () { answer('accept'); });
		$('decline').addEventListener('click', function () {
			answer('decline');
		});
		edit.view = 'post';
		M.route({listings: listings, post: post, edit: edit,
		    inbox: inbox, application: application,
		    placements: function () {
			return P.staffList($('placements'), 'employer',
			    $('plcs-msg'));
		    },
		    placement: function (id) {
			return P.staffPage($('placement'), id, 'employer',
			    $('plc-msg'));
		    }}, 'listings');
	});
})();
