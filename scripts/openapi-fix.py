#!/usr/bin/env python3
"""Mechanical fixes that keep openapi.yaml readable by OpenAPI 3.0 tools (oapi-codegen,
Redocly): every operation gets an operationId, 3.1-only forms become their 3.0 equal.
Idempotent; run it after adding routes: python3 scripts/openapi-fix.py"""
import re, sys

NAMES = {
    ('/healthz', 'get'): 'getHealth',
    ('/readyz', 'get'): 'getReadiness',
    ('/api/v1/calendar/deadline', 'post'): 'computeDeadline',
    ('/api/v1/tickets', 'get'): 'listTickets',
    ('/api/v1/tickets/{helpdesk}/{id}', 'get'): 'getTicket',
    ('/api/v1/contracts/{id}/usage', 'get'): 'getContractUsage',
    ('/api/v1/billing/{month}', 'get'): 'exportBilling',
    ('/api/v1/billing/{month}/close', 'post'): 'closeBillingMonth',
    ('/api/v1/contracts/{id}/billing/{month}', 'get'): 'exportContractBilling',
    ('/webhooks/{helpdesk}', 'post'): 'receiveWebhook',
}

def generic(path, method):
    words = [w for w in re.split(r'[/{}_.-]+', path) if w and w not in ('api', 'v1')]
    verb = {'get': 'get', 'post': 'post', 'put': 'put', 'patch': 'patch', 'delete': 'delete'}[method]
    return verb + ''.join(w[:1].upper() + w[1:] for w in words)

def main(fn):
    s = open(fn).read()
    s = re.sub(r'^openapi: 3\.1\.\d+$', 'openapi: 3.0.3', s, flags=re.M)
    s = re.sub(r'\bconst: ([^,}\n]+)', r'enum: [\1]', s)
    s = re.sub(r'\{type: \[(\w+), (\w+)\]\}', r'{oneOf: [{type: \1}, {type: \2}]}', s)
    s = re.sub(r'^(\s+)type: \[(\w+), "null"\]$', r'\1type: \2\n\1nullable: true', s, flags=re.M)
    s = re.sub(r'^\s+unevaluatedProperties: false\n', '', s, flags=re.M)
    lines = s.split('\n')
    out, path, used = [], None, set(re.findall(r'operationId: (\w+)', s))
    i = 0
    while i < len(lines):
        l = lines[i]
        out.append(l)
        m = re.match(r'^  (/\S+):\s*$', l)
        if m:
            path = m.group(1)
        m = re.match(r'^    (get|post|put|patch|delete|head|options):\s*$', l)
        if m:
            j, has = i + 1, False
            while j < len(lines) and (lines[j].startswith('      ') or not lines[j].strip()):
                if lines[j].startswith('      operationId:'):
                    has = True
                j += 1
            if not has:
                name = NAMES.get((path, m.group(1))) or generic(path, m.group(1))
                while name in used:
                    name += '2'
                used.add(name)
                # after tags/summary lines if present, else right after the method line
                k = i + 1
                while k < j and re.match(r'^      (tags|summary):', lines[k]):
                    out.append(lines[k]); k += 1
                out.append('      operationId: ' + name)
                out.extend(lines[k:j])
                i = j
                continue
        i += 1
    open(fn, 'w').write('\n'.join(out))

if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'openapi.yaml')
