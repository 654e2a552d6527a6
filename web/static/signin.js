/*
 * signin.js: the sign-in page.  Students sign in with a code (typed, or
 * from a link ending #code=...), staff with a user name and password; a
 * set-up link (#setup=TOKEN) lets a new staff account choose its password.
 */
'use strict';

(function () {
	var el = M.el, $ = M.$, t = M.t;

	function normCode(s) {
		return String(s || '').toUpperCase().replace(/[\s-]+/g, '');
	}

	function go(r) {
		return M.home(r).then(function (to) {
			window.location.assign(to);
		});
	}

	function fromHash() {
		var h = window.location.hash.replace(/^#/, '');
		var m = /^(code|setup)=(.+)$/.exec(h);
		if (!m)
			return null;
		/* Keep the secret out of the history and the address bar. */
		try {
			window.history.replaceState(null, '', window.location.pathname);
		} catch (e) { /* old browsers: harmless */ }
		return {kind: m[1], value: decodeURIComponent(m[2])};
	}

	function codeSignin(code, form) {
		M.clearErrors(form);
		var btn = form.querySelector('button[type=submit]');
		return M.busy(btn, M.signin({code: normCode(code)}),
		    t('signin.checking')).then(go, function (e) {
			M.fieldError($('code'), signinError(e, 'signin.bad_code'));
			$('code').focus();
		});
	}

	function staffSignin(user, pass, form) {
		M.clearErrors(form);
		var btn = form.querySelector('button[type=submit]');
		return M.busy(btn, M.signin({user: user, password: pass}),
		    t('signin.checking')).then(go, function (e) {
			M.fieldError($('password'), signinError(e, 'signin.bad_password'));
			$('password').focus();
		});
	}

	/* Throttling and a dead server say so; anything else is a wrong secret. */
	function signinError(e, key) {
		if (!(e instanceof M.ApiError) || e.status === 0 || e.status === 429 ||
		    e.status >= 500)
			return M.errText(e);
		return t(key);
	}

	function setup(token) {
		M.show('setup', true);
		M.show('signin-forms', false);
		var form = $('setup-form');
		M.onSubmit(form, function () {
			M.clearErrors(form);
			var user = $('setup-user').value.trim();
			var p1 = $('setup-pass').value, p2 = $('setup-pass2').value;
			var bad = false;
			if (!user) {
				M.fieldError($('setup-user'), t('err.required'));
				bad = true;
			}
			if (p1.length < 10) {
				M.fieldError($('setup-pass'), t('setup.short'));
				bad = true;
			}
			if (p1 !== p2) {
				M.fieldError($('setup-pass2'), t('setup.differ'));
				bad = true;
			}
			if (bad) {
				form.querySelector('[aria-invalid="true"]').focus();
				return;
			}
			var btn = form.querySelector('button[type=submit]');
			M.busy(btn, M.api('auth/setup', {token: token, user: user,
			    password: p1}).then(function (r) {
				if (r && r.who)
					return M.whoami();
				return M.signin({user: (r && r.user) || user,
				    password: p1});
			}), t('working')).then(go, function (e) {
				M.formErrors(form, e, function (f) {
					return f === 'password' || f === 'new' ?
					    'password' : f === 'user' ? 'user' : null;
				});
			});
		});
		$('setup-user').focus();
	}

	M.loadLang(M.pickLang(true)).then(function () {
		M.langSwitch();
		var h = fromHash();
		M.onSubmit($('code-form'), function () {
			var c = $('code').value;
			if (!normCode(c)) {
				M.clearErrors($('code-form'));
				M.fieldError($('code'), t('err.required'));
				$('code').focus();
				return;
			}
			codeSignin(c, $('code-form'));
		});
		M.onSubmit($('staff-form'), function () {
			var form = $('staff-form');
			var u = $('user').value.trim(), p = $('password').value;
			M.clearErrors(form);
			if (!u)
				M.fieldError($('user'), t('err.required'));
			if (!p)
				M.fieldError($('password'), t('err.required'));
			if (!u || !p) {
				form.querySelector('[aria-invalid="true"]').focus();
				return;
			}
			staffSignin(u, p, form);
		});
		/* A code or set-up link opened while this page is already open. */
		window.addEventListener('hashchange', function () {
			var x = fromHash();
			if (x && x.kind === 'code') {
				$('code').value = x.value;
				codeSignin(x.value, $('code-form'));
			} else if (x && x.kind === 'setup') {
				setup(x.value);
			}
		});
		if (h && h.kind === 'setup')
			return setup(h.value);
		if (h && h.kind === 'code') {
			$('code').value = h.value;
			return codeSignin(h.value, $('code-form'));
		}
		/* Already signed in: straight to one's page. */
		return M.whoami().then(go, function () {
			$('code').focus();
		});
	});
})();
