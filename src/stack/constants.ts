/**
 * Paths, ports and names of the Prometheus workload.
 */

export const WEB_PORT = 9090;

export const CONFIG_DIR = '/etc/prometheus';

export const DATA_DIR = '/prometheus';

export const CONFIG_FILE = 'prometheus.yml';

export const RULES_FILE = 'rules.yml';

/** Job name of the self-scrape. */
export const SELF_JOB = 'prometheus';
