/**
 * The demo county for a test, loaded once per test file and instant after that: the first call for a date loads it
 * through the product (loadDemoCounty) into an in-memory database and keeps its image; later calls open a copy of
 * that image. The county is deterministic for a date, so a copy is the county the load would have made — minus the
 * seconds of making it again for every test (the demo makes ten months of history through the product's services).
 */
import { openNodeDatabase, type NodeDatabase } from '../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../src/demo/county.ts'

const images = new Map<number, Buffer>()

export async function demoDatabase(at: Date): Promise<NodeDatabase> {
  const image = images.get(at.getTime())
  if (image) return openNodeDatabase(':memory:', { image })
  const d = openNodeDatabase(':memory:')
  await loadDemoCounty(d.db, at)
  images.set(at.getTime(), d.sqlite.serialize())
  return d
}
