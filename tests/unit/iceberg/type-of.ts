import type * as arrow from 'apache-arrow';
import { icebergTypeOf } from '../../../sandboxes/lakehouse/iceberg/arrow.ts';
import type { IcebergType } from '../../../sandboxes/lakehouse/iceberg/index.ts';

export function icebergTypeOfField(f: arrow.Field): IcebergType {
  return icebergTypeOf(f.type);
}
