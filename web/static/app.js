/*
 * app.js: what every page shares.  Talking to the node's JSON API (session
 * cookie + CSRF header), the message catalogs (English, Spanish), building
 * elements (text only: nothing from a record, a peer or a person is ever
 * parsed as markup), plain-language errors placed next to their field, and
 * a small hash router.  No framework, no build step.
 */
'use strict';

var M = (function () {
	var csrf = null;
	var me = null;
	var catalog = {};
	var fallback = {};
	var lang = 'en';
	var LANGS = ['en', 'es'];
	var LEVELS = 4;

	/* ---- elements ---- */

	/*
	 * el('p', {class: 'x', for: 'y'}, 'text', child, ...): attributes are
	 * set with setAttribute (never on*), children that are strings become
	 * text nodes.
	 */
	function el(tag, attrs) {
		var e = document.createElement(tag);
		var k, i, c;
		if (attrs) {
			for (k in attrs) {
				if (!Object.prototype.hasOwnProperty.call(attrs, k))
					continue;
				if (attrs[k] === null || attrs[k] === undefined ||
				    attrs[k] === false)
					continue;
				if (/^on/i.test(k))
					throw new Error('no event attributes');
				if (k === 'text')
					e.textContent = String(attrs[k]);
				else
					e.setAttribute(k, attrs[k] === true ? '' :
					    String(attrs[k]));
			}
		}
		for (i = 2; i < arguments.length; i++) {
			c = arguments[i];
			if (c === null || c === undefined || c === false)
				continue;
			if (Array.isArray(c)) {
				c.forEach(function (x) {
					if (x !== null && x !== undefined)
						e.appendChild(typeof x === 'object' ?
						    x : document.createTextNode(String(x)));
				});
			} else if (typeof c === 'object') {
				e.appendChild(c);
			} else {
				e.appendChild(document.createTextNode(String(c)));
			}
		}
		return e;
	}

	function $(id) { return document.getElementById(id); }

	function clear(node) {
		while (node && node.firstChild)
			node.removeChild(node.firstChild);
		return node;
	}

	function show(node, on) {
		if (typeof node === 'string')
			node = $(node);
		if (node)
			node.hidden = !on;
	}

	/* ---- messages ---- */

	function fmt(s, p) {
		return String(s).replace(/\{(\w+)\}/g, function (m, k) {
			return p && p[k] !== undefined && p[k] !== null ?
			    String(p[k]) : m;
		});
	}

	function t(key, p) {
		var s = catalog[key];
		if (s === undefined)
			s = fallback[key];
		if (s === undefined)
			return key;
		return fmt(s, p);
	}

	function has(key) {
		return catalog[key] !== undefined || fallback[key] !== undefined;
	}

	function pickLang(multi) {
		var stored = null, i, l;
		if (!multi)
			return 'en';
		try {
			stored = window.localStorage.getItem('mentord.lang');
		} catch (e) {
			stored = null;
		}
		if (stored && LANGS.indexOf(stored) >= 0)
			return stored;
		var prefs = navigator.languages && navigator.languages.length ?
		    navigator.languages : [navigator.language || 'en'];
		for (i = 0; i < prefs.length; i++) {
			l = String(prefs[i]).toLowerCase().split('-')[0];
			if (LANGS.indexOf(l) >= 0)
				return l;
		}
		return 'en';
	}

	function getJSON(url) {
		return fetch(url, {credentials: 'same-origin'}).then(function (r) {
			if (!r.ok)
				throw new Error(url + ': ' + r.status);
			return r.json();
		});
	}

	/* Loads the catalog for lang (English underneath as the fallback). */
	function loadLang(l) {
		var jobs = [getJSON('/static/i18n/en.json')];
		if (l !== 'en')
			jobs.push(getJSON('/static/i18n/' + l + '.json'));
		return Promise.all(jobs).then(function (c) {
			fallback = c[0];
			catalog = c[1] || c[0];
			lang = l;
			document.documentElement.lang = l;
			translate(document);
		});
	}

	/* Fills data-i18n (text), data-i18n-ph (placeholder), data-i18n-label. */
	function translate(root) {
		var list = root.querySelectorAll('[data-i18n]');
		var i;
		for (i = 0; i < list.length; i++)
			list[i].textContent = t(list[i].getAttribute('data-i18n'));
		list = root.querySelectorAll('[data-i18n-ph]');
		for (i = 0; i < list.length; i++)
			list[i].setAttribute('placeholder',
			    t(list[i].getAttribute('data-i18n-ph')));
		list = root.querySelectorAll('[data-i18n-label]');
		for (i = 0; i < list.length; i++)
			list[i].setAttribute('aria-label',
			    t(list[i].getAttribute('data-i18n-label')));
		var ti = document.querySelector('title[data-i18n]');
		if (ti)
			document.title = t(ti.getAttribute('data-i18n'));
	}

	/*
	 * A language switch (a <select id=lang>) for pages that speak both;
	 * the choice is kept in localStorage and overrides the browser's.
	 */
	function langSwitch(onchange) {
		var s = $('lang');
		if (!s)
			return;
		s.value = lang;
		s.addEventListener('change', function () {
			try {
				window.localStorage.setItem('mentord.lang', s.value);
			} catch (e) { /* private mode: the choice lasts this page */ }
			loadLang(s.value).then(function () {
				s.value = lang;
				if (onchange)
					onchange();
			});
		});
	}

	function level(n) {
		n = Number(n);
		if (!(n >= 0 && n <= LEVELS))
			return String(n);
		return t('level.n', {n: n, of: LEVELS, word: t('level.' + n)});
	}

	function words(prefix, code) {
		return has(prefix + '.' + code) ? t(prefix + '.' + code) :
		    String(code).replace(/_/g, ' ');
	}

	function date(s) {
		if (s === null || s === undefined || s === '')
			return '';
		var d = typeof s === 'number' ? new Date(s) :
		    /^\d{4}-\d{2}-\d{2}$/.test(s) ? new Date(s + 'T12:00:00Z') :
		    new Date(s);
		if (isNaN(d.getTime()))
			return String(s);
		try {
			return d.toLocaleDateString(lang === 'es' ? 'es' : 'en-US',
			    {year: 'numeric', month: 'long', day: 'numeric',
			    timeZone: 'UTC'});
		} catch (e) {
			return d.toISOString().slice(0, 10);
		}
	}

	function datetime(s) {
		if (s === null || s === undefined || s === '')
			return '';
		var d = new Date(s);
		if (isNaN(d.getTime()))
			return String(s);
		return d.toLocaleString(lang === 'es' ? 'es' : 'en-US');
	}

	function km(x) {
		if (x === null || x === undefined || isNaN(Number(x)))
			return '';
		return t('km', {n: Math.round(Number(x))});
	}

	/*
	 * Match reasons arrive as English sentences (or objects with `text`).
	 * Known sentences are rewritten through the catalog, so levels read
	 * as words ("2 of 4, developing") and Spanish works; unknown ones are
	 * shown as they came.
	 */
	var REASONS = [
		[/^You meet (\d+) of (\d+) required skills?$/, 'reason.meet',
		    ['a', 'b']],
		[/^Needs (.+) at level (\d) \(you are at (\d)\)$/, 'reason.needs',
		    ['skill', '*need', '*have']],
		[/^Develops (.+) to level (\d) \(you are at (\d)\)$/,
		    'reason.develops', ['skill', '*to', '*have']],
		[/^Matches your goal: (.+)$/, 'reason.goal', ['occ']],
		[/^Close to your goal: (.+) \(same (major group|minor group|broad group|SOC occupation|occupation)\)$/,
		    'reason.close', ['occ', '@how']],
		[/^In your career cluster: (.+) \(listed as (.+)\)$/,
		    'reason.cluster_as', ['mine', 'theirs']],
		[/^In your career cluster: (.+)$/, 'reason.cluster', ['mine']],
		[/^Virtual: no travel needed$/, 'reason.virtual', []],
		[/^It has expired$/, 'why.expired', []],
		[/^It is full: every place is taken$/, 'why.full', []],
		[/^It ended on (\d{4}-\d{2}-\d{2})$/, 'why.ended', ['#date']],
		[/^You must be (\d+) or older on the start date$/, 'why.age_start',
		    ['n']],
		[/^You must be (\d+) or older$/, 'why.age', ['n']],
		[/^It is (in person|virtual|hybrid); you chose (.+)$/, 'why.format',
		    ['%what', '%chose']],
		[/^It takes place in person and your profile has no location$/,
		    'why.no_location', []],
		[/^It is (\d+) km \((\d+) mi\) away; you travel up to (\d+) km \((\d+) mi\)$/,
		    'why.far', ['km', 'mi', 'max', 'maxmi']],
		[/^It is not open to students now$/, 'why.closed', []],
		[/^(\d+(?:\.\d+)?) km away$/, 'reason.km', ['n']]
	];

	/* Reasons the node sends as {kind, text, fields}: said from fields. */
	var KINDS = {
		meet: function (r) {
			return t('reason.meet', {a: r.met, b: r.of});
		},
		none_required: function () { return t('reason.none_required'); },
		needs: function (r) {
			return t('reason.needs', {skill: r.skill || r.competency,
			    need: level(r.level), have: level(r.have)});
		},
		develops: function (r) {
			return t('reason.develops', {skill: r.skill || r.competency,
			    to: level(r.level), have: level(r.have)});
		},
		virtual: function () { return t('reason.virtual'); },
		distance: function (r) {
			return t(r.km < 1 ? 'reason.near' : 'reason.km_mi',
			    {km: Math.round(r.km), mi: Math.round(r.mi)}) +
			    (r.hybrid ? ' ' + t('reason.hybrid') : '');
		}
	};

	function reason(r) {
		var s = r && typeof r === 'object' ? (r.text || r.message || '') :
		    String(r);
		var i, m, p, j, name;
		if (r && typeof r === 'object' && KINDS[r.kind] &&
		    (r.kind !== 'distance' || r.km !== undefined) &&
		    (r.kind !== 'meet' || r.met !== undefined) &&
		    (!/^(needs|develops)$/.test(r.kind) || r.level !== undefined))
			return KINDS[r.kind](r);
		for (i = 0; i < REASONS.length; i++) {
			m = REASONS[i][0].exec(s);
			if (!m)
				continue;
			p = {};
			for (j = 0; j < REASONS[i][2].length; j++) {
				name = REASONS[i][2][j];
				if (name.charAt(0) === '*')
					p[name.slice(1)] = level(m[j + 1]);
				else if (name.charAt(0) === '@')
					p[name.slice(1)] = t('same.' +
					    m[j + 1].replace(/ /g, '_'));
				else if (name.charAt(0) === '#')
					p[name.slice(1)] = date(m[j + 1]);
				else if (name.charAt(0) === '%')
					p[name.slice(1)] = m[j + 1].split(', ').map(
					    function (w) {
						return t('fmt.' + w.replace(/ /g, '_'));
					    }).join(', ');
				else
					p[name] = m[j + 1];
			}
			return t(REASONS[i][1], p);
		}
		return s;
	}

	/* ---- the API ---- */

	function ApiError(status, e) {
		this.status = status;
		this.code = e && e.code;
		this.name = (e && e.name) || 'EHTTP';
		this.raw = (e && e.message) || '';
		this.field = e && e.field;
		this.fields = e && Array.isArray(e.fields) ? e.fields : null;
		this.details = (e && e.details) || null;
		this.retry = e && e.retry_after;
		this.message = this.raw;
	}

	/* Whether the node lacks a command (an older or partial server). */
	function missing(err) {
		return err instanceof ApiError && err.status === 404 &&
		    /no such command/i.test(err.raw);
	}

	/* The message a person reads for an error (without the field name). */
	function errText(err) {
		if (!(err instanceof ApiError))
			return t('err.network');
		switch (err.status) {
		case 401:
			return t('err.401');
		case 403:
			/* The node's own sentence, unless it is about the request. */
			return err.raw && !/csrf|origin|cross-site/i.test(err.raw) ?
			    stripField(err.raw).charAt(0).toUpperCase() +
			    stripField(err.raw).slice(1) : t('err.403') + '.';
		case 413:
			return t('err.413');
		case 429:
			return err.retry ? t('err.429_in',
			    {min: Math.max(1, Math.ceil(err.retry / 60))}) :
			    t('err.429');
		case 0:
			return t('err.network');
		default:
			if (err.status >= 500 && !err.raw)
				return t('err.500');
			return stripField(err.raw) || t('err.500');
		}
	}

	function stripField(s) {
		var m = /^([A-Za-z_][\w.\[\]:-]*): (.*)$/.exec(String(s || ''));
		return m ? m[2].charAt(0).toUpperCase() + m[2].slice(1) : s;
	}

	function request(method, path, body, type) {
		var h = {};
		if (method === 'POST') {
			h['Content-Type'] = type || 'application/json';
			if (csrf)
				h['X-CSRF-Token'] = csrf;
		}
		return fetch(path, {
			method: method,
			headers: h,
			body: body,
			credentials: 'same-origin',
			cache: 'no-store'
		}).catch(function () {
			throw new ApiError(0, null);
		}).then(function (r) {
			var retry = r.headers.get('Retry-After');
			return r.text().then(function (txt) {
				var j = null;
				try {
					j = JSON.parse(txt);
				} catch (e) {
					j = null;
				}
				if (r.ok && j && j.ok)
					return j.result;
				var e = (j && j.error) || {message: ''};
				if (retry && !e.retry_after)
					e.retry_after = Number(retry);
				var err = new ApiError(r.status, e);
				if (r.status === 401 && me)
					expired();
				throw err;
			});
		});
	}

	/* api('match', {student: 'S1001'}) → the result, or throws ApiError. */
	function api(cmd, args) {
		return request('POST', '/api/v1/' + cmd,
		    JSON.stringify(args || {}));
	}

	/* A command with a data frame: the file as the body, args in the URL. */
	function upload(cmd, args, body, type) {
		var q = [], k;
		for (k in args || {})
			q.push(encodeURIComponent(k) + '=' +
			    encodeURIComponent(args[k]));
		return request('POST', '/api/v1/' + cmd +
		    (q.length ? '?' + q.join('&') : ''), body, type);
	}

	function signin(body) {
		return request('POST', '/api/v1/auth/signin',
		    JSON.stringify(body)).then(function (r) {
			me = r;
			csrf = r.csrf;
			return r;
		});
	}

	function whoami() {
		return request('GET', '/api/v1/auth/me').then(function (r) {
			me = r;
			csrf = r.csrf;
			return r;
		});
	}

	function signout(all) {
		return request('POST', '/api/v1/auth/signout' + (all ? '-all' : ''),
		    '{}').catch(function () { return null; }).then(function () {
			me = null;
			csrf = null;
			window.location.assign('/');
		});
	}

	function expired() {
		me = null;
		csrf = null;
		var b = $('expired');
		if (b) {
			b.hidden = false;
			var a = b.querySelector('a');
			if (a)
				a.focus();
		} else {
			window.location.assign('/');
		}
	}

	/*
	 * The page's session, for the roles it serves: a person who is not
	 * signed in goes to the sign-in page, one with another role to their
	 * own page.
	 */
	var HOME = {student: '/student', employer: '/employer',
	    coordinator: '/coordinator', hub: '/hub'};

	function session(roles) {
		return whoami().then(function (r) {
			if (roles.indexOf(r.who) < 0) {
				return home(r).then(function (to) {
					window.location.replace(to);
					return new Promise(function () {});
				});
			}
			var n = $('who');
			if (n)
				n.textContent = r.who === 'student' ?
				    t('signed_in_student', {name: r.name || ''}) :
				    t('signed_in_as', {name: r.name || '', role:
				    t('role.' + r.who)});
			return r;
		}, function (e) {
			if (e.status === 401 || e.status === 403) {
				window.location.replace('/');
				return new Promise(function () {});
			}
			throw e;
		});
	}

	/* Where a signed-in person belongs; an admin goes by the node's role. */
	function home(r) {
		if (r.who !== 'admin')
			return Promise.resolve(HOME[r.who] || '/');
		return api('status').then(function (s) {
			return s.role === 'employer' ? '/employer' :
			    s.role === 'hub' ? '/hub' : '/coordinator';
		}, function () { return '/coordinator'; });
	}

	/* ---- forms, errors, progress ---- */

	/*
	 * Shows an API error: each field error next to its field in form
	 * (found by data-field, then name), the rest in the form's summary
	 * box (role=alert).  mapField may translate an API path to a field.
	 */
	function formErrors(form, err, mapField) {
		clearErrors(form);
		var list = [];
		if (err instanceof ApiError && err.fields && err.fields.length)
			list = err.fields.map(function (f) {
				return {field: f.field, message: f.message};
			});
		else if (err instanceof ApiError && err.field)
			list = [{field: err.field, message: err.raw}];
		var placed = 0, rest = [];
		list.forEach(function (f) {
			var name = mapField ? mapField(f.field) : f.field;
			var target = name ? findField(form, name) : null;
			var msg = stripField(f.message);
			if (target) {
				fieldError(target, msg);
				placed++;
			} else {
				rest.push((f.field ? f.field + ': ' : '') + msg);
			}
		});
		var box = form.querySelector('.form-errors');
		if (!box) {
			box = el('div', {class: 'form-errors', role: 'alert'});
			form.insertBefore(box, form.firstChild);
		}
		clear(box);
		if (!list.length)
			box.appendChild(el('p', null, errText(err)));
		else {
			box.appendChild(el('p', null, t('err.fix_n',
			    {n: list.length})));
			if (rest.length)
				box.appendChild(el('ul', null, rest.map(function (s) {
					return el('li', null, s);
				})));
		}
		box.hidden = false;
		var first = form.querySelector('[aria-invalid="true"]');
		(first || box).focus && (first || box).focus();
		if (!first) {
			box.setAttribute('tabindex', '-1');
			box.focus();
		}
		return placed;
	}

	function findField(form, name) {
		var n = form.querySelector('[data-field="' + cssq(name) + '"]');
		if (!n)
			n = form.querySelector('[name="' + cssq(name) + '"]');
		if (!n) {
			/* requires[1].level → requires[1] → requires */
			var shorter = name.replace(/(\.[^.\[\]]+|\[\d+\])$/, '');
			if (shorter !== name && shorter)
				return findField(form, shorter);
		}
		return n;
	}

	function cssq(s) {
		return String(s).replace(/["\\]/g, '\\$&');
	}

	function fieldError(target, msg) {
		var id = (target.id || ('f' + Math.random().toString(36).slice(2)))
		    + '-err';
		if (!target.id)
			target.id = id.slice(0, -4);
		var p = document.getElementById(id);
		if (!p) {
			p = el('p', {class: 'field-error', id: id});
			/* A group (fieldset, skill row) holds its own message. */
			var wrap = /^(FIELDSET|DIV)$/.test(target.tagName) ? target :
			    target.closest('.field') || target.parentNode;
			wrap.appendChild(p);
		}
		p.textContent = p.textContent ? p.textContent + ' ' + msg : msg;
		target.setAttribute('aria-invalid', 'true');
		var d = target.getAttribute('aria-describedby') || '';
		if (d.split(' ').indexOf(id) < 0)
			target.setAttribute('aria-describedby',
			    (d ? d + ' ' : '') + id);
	}

	function clearErrors(form) {
		var l = form.querySelectorAll('.field-error');
		var i;
		for (i = 0; i < l.length; i++)
			l[i].parentNode.removeChild(l[i]);
		l = form.querySelectorAll('[aria-invalid]');
		for (i = 0; i < l.length; i++)
			l[i].removeAttribute('aria-invalid');
		var box = form.querySelector('.form-errors');
		if (box) {
			clear(box);
			box.hidden = true;
		}
	}

	/* A message in a box (role=status or alert), replacing what was there. */
	function say(box, text, kind) {
		if (typeof box === 'string')
			box = $(box);
		if (!box)
			return;
		clear(box);
		box.className = 'msg' + (kind ? ' msg-' + kind : '');
		if (text)
			box.appendChild(el('p', null, text));
		box.hidden = !text;
	}

	/*
	 * busy(button, promise, text): the button is disabled and shows a
	 * progress text until the promise settles; a status region says so
	 * to screen readers.
	 */
	function busy(button, p, text) {
		var old = button ? button.textContent : '';
		if (button) {
			button.disabled = true;
			button.setAttribute('aria-busy', 'true');
			button.textContent = text || t('working');
		}
		var done = function () {
			if (button) {
				button.disabled = false;
				button.removeAttribute('aria-busy');
				button.textContent = old;
			}
		};
		return p.then(function (r) {
			done();
			return r;
		}, function (e) {
			done();
			throw e;
		});
	}

	/* A "Loading…" line in a container while p runs. */
	function loading(container, p) {
		clear(container);
		var l = el('p', {class: 'loading', role: 'status'}, t('loading'));
		container.appendChild(l);
		container.setAttribute('aria-busy', 'true');
		return p.then(function (r) {
			container.removeAttribute('aria-busy');
			if (l.parentNode)
				l.parentNode.removeChild(l);
			return r;
		}, function (e) {
			container.removeAttribute('aria-busy');
			clear(container);
			container.appendChild(el('p', {class: 'msg msg-error',
			    role: 'alert'}, errText(e)));
			throw e;
		});
	}

	/* ---- routing ---- */

	/*
	 * route({name: fn(arg)}, def): #name or #name=arg shows section
	 * id="v-name" and calls its function.  Links in nav get
	 * aria-current.
	 */
	function route(table, def) {
		function go() {
			var h = window.location.hash.replace(/^#/, '');
			var m = /^([\w-]+)(?:=(.*))?$/.exec(h);
			var name = m && table[m[1]] ? m[1] : def;
			var arg = m && table[m[1]] && m[2] !== undefined ?
			    decodeURIComponent(m[2]) : null;
			var vname = table[name].view || name;
			var views = document.querySelectorAll('main > section.view');
			var i;
			for (i = 0; i < views.length; i++)
				views[i].hidden = views[i].id !== 'v-' + vname;
			var links = document.querySelectorAll('nav a[href^="#"]');
			for (i = 0; i < links.length; i++) {
				if (links[i].getAttribute('href') === '#' + vname)
					links[i].setAttribute('aria-current', 'page');
				else
					links[i].removeAttribute('aria-current');
			}
			var v = $('v-' + vname);
			var head = v && v.querySelector('h1, h2');
			if (head && go.started) {
				head.setAttribute('tabindex', '-1');
				head.focus();
			}
			go.started = true;
			Promise.resolve(table[name](arg)).catch(function (e) {
				/* Refusals are already on the page; bugs go to the console. */
				if (!(e instanceof ApiError) && window.console)
					console.error(e);
			});
		}
		window.addEventListener('hashchange', go);
		go();
		return go;
	}

	function onSubmit(form, fn) {
		form.addEventListener('submit', function (ev) {
			ev.preventDefault();
			fn(ev);
		});
	}

	/* Common page furniture: sign-out buttons and the session-ended box. */
	function furniture() {
		/* The skip link must not change the hash the router reads. */
		var skipl = document.querySelector('a.skip');
		if (skipl)
			skipl.addEventListener('click', function (ev) {
				ev.preventDefault();
				$('main').focus();
			});
		var b = $('signout');
		if (b)
			b.addEventListener('click', function () { signout(false); });
		b = $('signout-all');
		if (b)
			b.addEventListener('click', function () { signout(true); });
	}

	/*
	 * start(roles, multiLang): catalogs, session, furniture.  Resolves to
	 * the session (who, name, student).
	 */
	function start(roles, multi) {
		furniture();
		return loadLang(pickLang(multi)).then(function () {
			return session(roles);
		});
	}

	function debounce(fn, ms) {
		var timer = null;
		return function () {
			var a = arguments, self = this;
			clearTimeout(timer);
			timer = setTimeout(function () { fn.apply(self, a); }, ms);
		};
	}

	return {
		el: el, $: $, clear: clear, show: show,
		t: t, has: has, fmt: fmt, level: level, words: words,
		date: date, datetime: datetime, km: km, reason: reason,
		api: api, upload: upload, signin: signin, whoami: whoami,
		signout: signout, home: home, start: start,
		pickLang: pickLang, loadLang: loadLang, langSwitch: langSwitch,
		lang: function () { return lang; },
		me: function () { return me; },
		ApiError: ApiError, errText: errText, missing: missing, stripField: stripField,
		formErrors: formErrors, clearErrors: clearErrors,
		fieldError: fieldError, say: say, busy: busy, loading: loading,
		route: route, onSubmit: onSubmit, debounce: debounce,
		LEVELS: LEVELS
	};
})();
