/*
 * hub.js: a hub operator's page: the node's state, its peers (each
 * certified by this hub) with plain hints, the certificates it issued
 * and received (cert.list) with their expiry, and relay figures per peer.
 */
'use strict';

(function () {
	var el = M.el, $ = M.$;

	function hint(p) {
		if (p.hint)
			return p.hint;
		if (p.suspended)
			return 'Paused for sending bad data; it is tried again later.';
		if (p.connected)
			return 'Working; certified by this hub.';
		if (!p.last_contact)
			return 'Never reached: waiting for its operator to add this hub, or the address is wrong.';
		return 'Not reachable since ' + M.datetime(p.last_contact) + '.';
	}

	function n(x) {
		return x === undefined || x === null ? '' :
		    Number(x).toLocaleString('en-US');
	}

	function certState(c) {
		if (!c)
			return 'none';
		if (!c.live)
			return 'expired or revoked';
		return 'valid until ' + M.date(c.expires) + ' (' +
		    n(c.days_left) + (c.days_left === 1 ? ' day' : ' days') + ')';
	}

	function certTable(list, key, caption, none) {
		if (!list.length)
			return el('p', {class: 'hint'}, none);
		return W.table(['Node', 'Organization', 'Issued', 'Expires',
		    'Status'], list.map(function (c) {
			return [c.name || String(c[key]).slice(0, 12) + '…',
			    c.organization && c.organization !== c[key] ?
			    c.organization : 'not given', M.date(c.created),
			    M.date(c.expires), el('span', {class: 'badge badge-' +
			    (c.live ? 'yes' : 'no')}, c.live ? 'valid' :
			    'not valid')];
		    }), caption);
	}

	function certificates() {
		var cb = $('certs');
		return M.loading(cb, M.api('cert.list', {})).then(function (c) {
			cb.appendChild(el('h2', null, 'Issued by this hub'));
			cb.appendChild(certTable(c.issued || [], 'subject',
			    'Certificates issued by this hub',
			    'This hub has issued no certificate yet.'));
			cb.appendChild(el('h2', null, 'Issued about this hub'));
			cb.appendChild(certTable(c.received || [], 'issuer',
			    'Certificates other hubs issued about this hub',
			    'No other hub has certified this hub.'));
		});
	}

	function overview() {
		var st = $('status'), pb = $('peers'), rb = $('relay');
		return Promise.all([M.loading(st, M.api('status')),
		    M.loading(pb, M.api('peer.list', {})),
		    M.api('cert.list', {})]).then(function (rr) {
			var s = rr[0], certs = rr[2] || {};
			var list = Array.isArray(rr[1]) ? rr[1] : (rr[1] &&
			    rr[1].peers) || [];
			var issued = {};
			(certs.issued || []).forEach(function (c) {
				issued[c.subject] = c;
			});
			st.appendChild(W.dl([['Name', s.name], ['Node ID', s.node_id],
			    ['Records held', n(s.records)], ['Live listings',
			    n(s.listings)], ['Connected nodes', n(list.filter(
			    function (p) { return p.connected; }).length) + ' of ' +
			    n(list.length)], ['Running for', s.uptime_s !== undefined ?
			    Math.round(s.uptime_s / 60) + ' min' : '']]));
			pb.appendChild(W.table(['Name', 'Kind', 'Connected',
			    'Last contact', 'Certificate', 'What it means'],
			    list.map(function (p) {
				return [p.name || String(p.node_id).slice(0, 12) + '…',
				    p.role || '', el('span', {class: 'badge badge-' +
				    (p.connected ? 'yes' : 'no')}, p.connected ? 'yes' :
				    'no'), p.last_contact ? M.datetime(p.last_contact) :
				    'never', certState(issued[p.node_id]), hint(p)];
			    }), 'Peers'));

			M.clear(rb);
			rb.appendChild(W.table(['Node', 'Records in', 'Records out',
			    'Bytes in', 'Bytes out', 'Rounds', 'Refused'],
			    list.map(function (p) {
				var t = p.totals || {};
				return [p.name || String(p.node_id).slice(0, 12) + '…',
				    n(t.records_in), n(t.records_out),
				    n(t.bytes_received), n(t.bytes_sent), n(t.rounds),
				    n((p.invalid || 0) + (p.untrusted || 0))];
			    }), 'Relay figures since start'));
		});
	}

	M.start(['admin'], false).then(function () {
		$('sync-go').addEventListener('click', function () {
			M.busy($('sync-go'), M.api('sync.start', {}), 'Reconciling…')
			    .then(function () {
				M.say('sync-msg', 'Reconciliation started.', 'ok');
				return overview();
			}, function (e) {
				M.say('sync-msg', M.errText(e), 'error');
			});
		});
		M.route({overview: overview, certificates: certificates},
		    'overview');
	});
})();
