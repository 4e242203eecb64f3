/** A parsed file as read: its text, its document (parse.ts), where it came from, and botocore's view of it, built when first asked for. */
import {botocoreView, IniDocument, IniView} from './parse.js'

export interface IniFileSnapshot {
  doc: IniDocument
  exists: boolean
  /** Permission bits of the file as it was, if it existed. */
  mode?: number
  /** Owner of the file as it was, if it existed (kept on replace). */
  owner?: {gid: number; uid: number}
  path: string
  text: string
  view: IniView
}

/** A snapshot whose whole-file view is built only if asked for (one profile: profileView). */
export function snapshotOf(fields: Omit<IniFileSnapshot, 'view'>): IniFileSnapshot {
  let view: IniView | undefined
  return {
    ...fields,
    get view() {
      view ??= botocoreView(fields.doc)
      return view
    },
  }
}
