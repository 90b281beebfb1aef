import { Size } from 'cdk8s';
import { brand, hasBrand } from '../model/brand';

/**
 * Where Prometheus keeps its TSDB.
 */

/** Where Prometheus keeps its TSDB. */
export class PrometheusStorage {
  /** Whether `x` is a PrometheusStorage, made by any copy of this library. */
  public static isPrometheusStorage(x: any): x is PrometheusStorage {
    return hasBrand(x, 'PrometheusStorage');
  }

  /**
   * A PersistentVolumeClaim per replica (StatefulSet volume claim template): data survives
   * restarts and rescheduling.
   */
  public static persistent(options: PersistentStorageOptions = {}): PrometheusStorage {
    return new PrometheusStorage(true, options.size ?? Size.gibibytes(20), options.storageClassName);
  }

  /**
   * An `emptyDir`: every restart loses all data. Only for tests and throwaway clusters.
   */
  public static ephemeral(options: EphemeralStorageOptions = {}): PrometheusStorage {
    return new PrometheusStorage(false, options.sizeLimit ?? Size.gibibytes(10));
  }

  private constructor(
    /** Whether data survives a restart. */
    public readonly isPersistent: boolean,
    /** Volume size (persistent) or `emptyDir` size limit (ephemeral). */
    public readonly size: Size,
    /** Storage class of the claims. */
    public readonly storageClassName?: string,
  ) {}
}
brand(PrometheusStorage, 'PrometheusStorage');

/** Options of `PrometheusStorage.persistent`. */
export interface PersistentStorageOptions {
  /**
   * Size of each replica's volume.
   * @default Size.gibibytes(20)
   */
  readonly size?: Size;
  /**
   * Storage class of the claims.
   * @default - the cluster's default storage class
   */
  readonly storageClassName?: string;
}

/** Options of `PrometheusStorage.ephemeral`. */
export interface EphemeralStorageOptions {
  /**
   * `emptyDir` size limit.
   * @default Size.gibibytes(10)
   */
  readonly sizeLimit?: Size;
}
