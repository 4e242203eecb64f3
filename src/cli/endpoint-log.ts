/**
 * What a credentials endpoint (exec --server, watch --serve) tells its user: requests it
 * refused, which are worth knowing of (something local is probing it), once per kind so that a
 * flood cannot fill the terminal. What it served is never told.
 */
import {EndpointRequestEvent} from '../core/exec/endpoint.js'

const WHY: Partial<Record<EndpointRequestEvent['outcome'], string>> = {
  'bad-host': 'addressed to another host name (DNS rebinding?)',
  'bad-method': 'not a GET',
  'bad-token': 'without the right token',
}

export function refusalNotes(note: (line: string) => void): (event: EndpointRequestEvent) => void {
  const told = new Set<string>()
  return ({outcome}) => {
    const why = WHY[outcome]
    if (!why || told.has(outcome)) return
    told.add(outcome)
    note(`the credentials endpoint refused a request ${why}; further ones are not shown.`)
  }
}
