/*
 * hub.js: a hub operator's page: the node's state, its peers (each
 * certified by this hub) with plain hints, and relay figures per peer.
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

	function overview() {
		var st = $('status'), pb = $('peers'), rb = $('relay');
		return Promise.all([M.loading(st, M.api('status')),
		    M.loading(pb, M.api('peer.list', {}))]).then(function (rr) {
			var s = rr[0];
			var list = Array.isArray(rr[1]) ? rr[1] : (rr[1] &&
			    rr[1].peers) || [];
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
				    'never', p.certificate ? (p.certificate.expires ?
				    'until ' + M.date(p.certificate.expires) : 'issued') :
				    p.certified === false ? 'none' : 'issued by this hub',
				    hint(p)];
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
		M.route({overview: overview}, 'overview');
	});
})();
