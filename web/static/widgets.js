/*
 * widgets.js: pieces more than one page uses: a listing as a person reads
 * it (students see it, employers preview it), the type-ahead picker over
 * the node's frameworks, and name look-ups for codes.  Text only.
 */
'use strict';

var W = (function () {
	var el = M.el, t = M.t;

	/*
	 * The name of a code: from a names map the server sent (listing
	 * `names`, or objects carrying name/title), else the code itself.
	 */
	function nameOf(x, names) {
		if (x === null || x === undefined)
			return '';
		if (typeof x === 'object')
			return x.name || x.title || x.text || x.code || x.id ||
			    x.competency || '';
		if (names && names[x])
			return typeof names[x] === 'object' ?
			    nameOf(names[x]) : names[x];
		if (clusterNames[x])
			return clusterNames[x];
		return String(x);
	}

	function dl(rows) {
		var d = el('dl', {class: 'facts'});
		rows.forEach(function (r) {
			if (r[1] === null || r[1] === undefined || r[1] === '')
				return;
			d.appendChild(el('dt', null, r[0]));
			d.appendChild(el('dd', null, r[1]));
		});
		return d;
	}

	function skillList(items, names, what) {
		if (!items || !items.length)
			return null;
		return el('ul', {class: 'skills'}, items.map(function (s) {
			var id = s.competency || s.id;
			var n = s.name || nameOf(id, names);
			return el('li', null, t(what, {skill: n,
			    level: M.level(s.level)}));
		}));
	}

	function where(l) {
		if (l.modality === 'virtual')
			return t('place.virtual');
		var parts = [];
		if (l.place)
			parts.push(String(l.place));
		var km = l.distance_km !== undefined && l.distance_km !== null ?
		    l.distance_km : l.fit ? l.fit.distance_km : undefined;
		if (km !== undefined && km !== null)
			parts.push(t('place.away', {km: M.km(km)}));
		else if (l.location)
			parts.push(t('place.coords', {lat:
			    Number(l.location.lat).toFixed(3), lon:
			    Number(l.location.lon).toFixed(3)}));
		return parts.join(' · ');
	}

	/*
	 * listingView(l, opts): the listing as students read it.  opts.head
	 * is the heading level (default h2).
	 */
	function listingView(l, opts) {
		opts = opts || {};
		var names = l.names || {};
		var box = el('article', {class: 'listing'});
		box.appendChild(el(opts.head || 'h2', {class: 'listing-title'},
		    l.title || t('untitled')));
		box.appendChild(el('p', {class: 'org'}, l.organization || ''));
		var when = '';
		if (l.start && l.end)
			when = t('dates.from_to', {a: M.date(l.start), b: M.date(l.end)});
		else if (l.start)
			when = t('dates.from', {a: M.date(l.start)});
		else if (l.end)
			when = t('dates.until', {b: M.date(l.end)});
		box.appendChild(dl([
			[t('f.kind'), M.words('kind', l.kind)],
			[t('f.modality'), M.words('modality', l.modality)],
			[t('f.where'), where(l)],
			[t('f.when'), when],
			[t('f.capacity'), l.full ? t('full') :
			    l.capacity !== undefined ? String(l.capacity) : ''],
			[t('f.min_age'), l.min_age ? t('years', {n: l.min_age}) : ''],
			[t('f.clusters'), (l.clusters || []).map(function (c) {
				return nameOf(c, l.cluster_names || names);
			}).join(', ')],
			[t('f.occupations'), (l.occupations || []).map(function (c) {
				return nameOf(c, l.occupation_titles || names);
			}).join(', ')],
			[t('f.expires'), l.expires ? M.date(l.expires) : '']
		]));
		if (l.description)
			box.appendChild(el('p', {class: 'desc'}, l.description));
		var rq = skillList(l.requires, l.competency_names || names,
		    'skill.needs');
		if (rq) {
			box.appendChild(el('h3', null, t('f.requires')));
			box.appendChild(rq);
		}
		var dv = skillList(l.develops, l.competency_names || names,
		    'skill.develops');
		if (dv) {
			box.appendChild(el('h3', null, t('f.develops')));
			box.appendChild(dv);
		}
		return box;
	}

	/* The reasons of a match or fit, in plain words. */
	function reasons(list) {
		if (!list || !list.length)
			return null;
		return el('ul', {class: 'reasons'}, list.map(function (r) {
			return el('li', null, M.reason(r));
		}));
	}

	var clusterCache = null;
	var clusterNames = {};	/* code -> name, once cluster.list answered */

	/* The node's career clusters (both frameworks): [{code, name}]. */
	function clusterList() {
		if (clusterCache)
			return clusterCache;
		clusterCache = M.api('cluster.list', {}).then(function (r) {
			return (Array.isArray(r) ? r : []).map(function (x) {
				clusterNames[x.code] = x.name || x.code;
				return {code: x.code, name: x.name || x.code};
			});
		});
		clusterCache.catch(function () { clusterCache = null; });
		return clusterCache;
	}

	/*
	 * fwSearch(kind, q, top): the node's frameworks by name.  Uses
	 * framework.search; a node without it answers clusters from
	 * cluster.list and occupations from occupation.search.
	 */
	function fwSearch(kind, q, top) {
		return M.api('framework.search', {q: q, kind: kind, top: top})
		    .then(function (r) {
			return Array.isArray(r) ? r : (r && (r.results || r.items)) ||
			    [];
		}, function (e) {
			if (!M.missing(e))
				throw e;
			if (kind === 'cluster')
				return clusterList().then(function (l) {
					var lq = q.toLowerCase();
					return l.filter(function (c) {
						return !lq || c.name.toLowerCase().indexOf(lq) >=
						    0 || c.code.indexOf(lq) >= 0;
					}).slice(0, top);
				});
			if (kind === 'occupation')
				return M.api('occupation.search', {query: q, top: top});
			throw e;
		});
	}

	var seq = 0;

	/*
	 * typeahead(opts): a combobox that searches the node's frameworks
	 * (framework.search {q, kind, top}) and collects chosen items as
	 * removable chips.  opts: label, kind, single, field (for errors),
	 * onchange.  Returns {node, get(), set(items)} with items
	 * [{code, name}].
	 */
	function typeahead(opts) {
		var id = 'ta' + (++seq);
		var chosen = [];
		var results = [];
		var active = -1;
		var input = el('input', {id: id, type: 'text', role: 'combobox',
		    'aria-autocomplete': 'list', 'aria-expanded': 'false',
		    'aria-controls': id + '-list', autocomplete: 'off',
		    spellcheck: 'false', 'data-field': opts.field || null,
		    'aria-describedby': id + '-hint'});
		var list = el('ul', {id: id + '-list', role: 'listbox',
		    class: 'ta-list', hidden: true,
		    'aria-label': opts.label});
		var chips = el('ul', {class: 'chips', 'aria-label':
		    t('ta.chosen', {what: opts.label})});
		var status = el('p', {class: 'sr-only', role: 'status'});
		var node = el('div', {class: 'field ta'},
		    el('label', {for: id}, opts.label),
		    el('p', {class: 'hint', id: id + '-hint'},
		    opts.hint || t('ta.hint')),
		    chips, input, list, status);

		function code(x) {
			return x.code || x.id || x.competency || x.soc || '';
		}

		function render() {
			M.clear(chips);
			chosen.forEach(function (x, i) {
				var b = el('button', {type: 'button', class: 'chip-x',
				    'aria-label': t('ta.remove', {name: x.name})},
				    '×');
				b.addEventListener('click', function () {
					chosen.splice(i, 1);
					render();
					input.focus();
					if (opts.onchange)
						opts.onchange();
				});
				chips.appendChild(el('li', {class: 'chip'},
				    el('span', null, x.name + (x.name !== x.code ?
				    ' (' + x.code + ')' : '')), b));
			});
			chips.hidden = !chosen.length;
		}

		function close() {
			list.hidden = true;
			input.setAttribute('aria-expanded', 'false');
			input.removeAttribute('aria-activedescendant');
			active = -1;
		}

		function pick(i) {
			var x = results[i];
			if (!x)
				return;
			var item = {code: code(x), name: nameOf(x)};
			if (opts.single)
				chosen = [item];
			else if (!chosen.some(function (c) {
				return c.code === item.code;
			}))
				chosen.push(item);
			input.value = '';
			close();
			render();
			status.textContent = t('ta.added', {name: item.name});
			if (opts.onchange)
				opts.onchange();
		}

		function highlight(i) {
			var items = list.querySelectorAll('[role=option]');
			var k;
			active = i;
			for (k = 0; k < items.length; k++)
				items[k].setAttribute('aria-selected',
				    k === i ? 'true' : 'false');
			if (items[i]) {
				input.setAttribute('aria-activedescendant', items[i].id);
				items[i].scrollIntoView({block: 'nearest'});
			}
		}

		var search = M.debounce(function () {
			var q = input.value.trim();
			if (!q) {
				close();
				return;
			}
			fwSearch(opts.kind, q, 8).then(function (r) {
				if (input.value.trim() !== q)
					return;
				results = r;
				M.clear(list);
				results.forEach(function (x, i) {
					var li = el('li', {role: 'option', id: id + '-o' + i,
					    'aria-selected': 'false'}, nameOf(x),
					    el('span', {class: 'code'}, ' ' + code(x)));
					li.addEventListener('mousedown', function (ev) {
						ev.preventDefault();
						pick(i);
					});
					list.appendChild(li);
				});
				if (!results.length)
					list.appendChild(el('li', {class: 'none'},
					    t('ta.none')));
				list.hidden = false;
				input.setAttribute('aria-expanded', 'true');
				status.textContent = t('ta.count', {n: results.length});
			}, function (e) {
				M.clear(list);
				results = [];
				if (M.missing(e)) {
					/* No search on this node: a typed code is taken as is. */
					results = [{code: q, name: q}];
					list.appendChild(el('li', {role: 'option', id: id + '-o0',
					    'aria-selected': 'false'}, t('ta.as_code', {q: q})));
					list.firstChild.addEventListener('mousedown',
					    function (ev) {
						ev.preventDefault();
						pick(0);
					});
				} else {
					list.appendChild(el('li', {class: 'none'},
					    M.errText(e)));
				}
				list.hidden = false;
				input.setAttribute('aria-expanded', 'true');
			});
		}, 200);

		input.addEventListener('input', search);
		input.addEventListener('blur', function () {
			setTimeout(close, 150);
		});
		input.addEventListener('keydown', function (ev) {
			var n = results.length;
			if (ev.key === 'ArrowDown' && n) {
				ev.preventDefault();
				if (list.hidden) {
					list.hidden = false;
					input.setAttribute('aria-expanded', 'true');
				}
				highlight((active + 1) % n);
			} else if (ev.key === 'ArrowUp' && n) {
				ev.preventDefault();
				highlight((active - 1 + n) % n);
			} else if (ev.key === 'Enter') {
				if (!list.hidden && active >= 0) {
					ev.preventDefault();
					pick(active);
				} else if (!list.hidden && n === 1) {
					ev.preventDefault();
					pick(0);
				}
			} else if (ev.key === 'Escape') {
				close();
			}
		});
		render();
		return {
			node: node,
			input: input,
			get: function () { return chosen.slice(); },
			set: function (items) {
				chosen = (items || []).map(function (x) {
					return typeof x === 'string' ?
					    {code: x, name: x} : {code: code(x),
					    name: nameOf(x)};
				});
				render();
			}
		};
	}

	/* A <select> of levels 0..4 as words. */
	function levelSelect(id, value, field) {
		var s = el('select', {id: id, 'data-field': field || null});
		var i;
		for (i = 0; i <= M.LEVELS; i++)
			s.appendChild(el('option', {value: String(i)}, M.level(i)));
		s.value = String(value === undefined ? 1 : value);
		return s;
	}

	function statusBadge(st) {
		return el('span', {class: 'badge badge-' +
		    String(st).replace(/[^a-z_]/g, '')}, M.words('status', st));
	}

	function table(head, rows, caption) {
		var tb = el('table', {class: 'stack'},
		    caption ? el('caption', {class: 'sr-only'}, caption) : null,
		    el('thead', null, el('tr', null, head.map(function (h) {
			return el('th', {scope: 'col'}, h);
		    }))));
		var body = el('tbody');
		/* data-label lets a phone show each row as a stack of pairs. */
		rows.forEach(function (r) {
			body.appendChild(el('tr', null, r.map(function (c, i) {
				return el('td', {'data-label': head[i] || null}, c);
			})));
		});
		tb.appendChild(body);
		return el('div', {class: 'table-wrap', tabindex: '0',
		    role: 'region', 'aria-label': caption || head.join(', ')}, tb);
	}

	/*
	 * whyNothing(student, into, headText): when a student has no match,
	 * the nearest listings and, for each, why it is not one (the node's
	 * listing.search with the student's fit).  Says nothing if the node
	 * cannot search.
	 */
	function whyNothing(student, into, headText) {
		return M.api('listing.search', {student: student, limit: 8})
		    .then(function (r) {
			var list = (r && r.listings) || [];
			var rows = [];
			list.forEach(function (x) {
				var why = (x.fit && x.fit.why_not) || x.why_not || [];
				if (why.length)
					rows.push(el('li', null, el('strong', null,
					    x.title || ''), ': ', why.map(M.reason)
					    .join('; ')));
			});
			if (!rows.length)
				return;
			into.appendChild(el('h3', null, headText));
			into.appendChild(el('ul', {class: 'reasons'}, rows));
		}, function () { return null; });
	}

	return {
		whyNothing: whyNothing, fwSearch: fwSearch, clusterList: clusterList,
		nameOf: nameOf, dl: dl, listingView: listingView,
		reasons: reasons, typeahead: typeahead, levelSelect: levelSelect,
		statusBadge: statusBadge, table: table, where: where
	};
})();
