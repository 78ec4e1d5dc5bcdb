"""Airflow DAG: Fusionpipe's nightly retraining on a Spark cluster, one SparkSubmitOperator task per step.

ingest (append mode) -> train (every variant, from the champion) -> eval -> report -> promote, each
`fusionpipe nightly --step STEP` with the app job jar, which carries every stage. The run log
ROOT/nightly/<date>/nightly.json ties the tasks together: a step reuses what earlier steps recorded,
and refuses to start (exit 2) when one of them has not finished for that date. Every step is
idempotent per date, so retries are safe, except that promote is not retried: its exit code 3 means
a significant regression, which a retry would only repeat.

The night is the day the run starts (UTC), as with cron, systemd and the Kubernetes CronJob: the
end of Airflow's data interval, not `ds` (its start, the day before).

Nothing is read at parse time: the JVM flags come out of the jar when a task runs (the scheduler
parses this file every few seconds; the jar is ~200 MiB).
Needs apache-airflow-providers-apache-spark and a `spark_default` connection to the cluster.
"""
import zipfile
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

FUSIONPIPE = "/opt/fusionpipe"
VERSION = "0.1.0-SNAPSHOT"
JAR = f"{FUSIONPIPE}/jars/pipeline-app-{VERSION}-job.jar"
STEPS = ["ingest", "train", "eval", "report", "promote"]
NIGHT = "{{ data_interval_end | ds }}"


def jvm_flags():
    """Java 17 add-opens + Aeron timeout: jvm.flags of io/fusionpipe/build.properties inside the job jar."""
    with zipfile.ZipFile(JAR) as z:
        for line in z.read("io/fusionpipe/build.properties").decode("utf-8").splitlines():
            if line.startswith("jvm.flags="):
                return line[len("jvm.flags="):].strip()
    raise ValueError(f"{JAR} has no jvm.flags in io/fusionpipe/build.properties")


with DAG(
    dag_id="fusionpipe_nightly",
    schedule="30 2 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=15)},
    user_defined_macros={"fusionpipe_jvm_flags": jvm_flags},
    tags=["fusionpipe"],
) as dag:
    previous = None
    for step in STEPS:
        task = SparkSubmitOperator(
            task_id=step,
            conn_id="spark_default",
            application=JAR,
            java_class="io.fusionpipe.cli.Fusionpipe",
            name=f"fusionpipe-nightly-{step}",
            application_args=[
                "nightly", "--date", NIGHT, "--step", step,
                "--config", f"{FUSIONPIPE}/conf/cluster.conf", "--config", f"{FUSIONPIPE}/conf/nightly.conf",
            ],
            conf={
                "spark.driver.extraJavaOptions": "{{ fusionpipe_jvm_flags() }}",
                "spark.executor.extraJavaOptions": "{{ fusionpipe_jvm_flags() }}",
                "spark.executor.memoryOverhead": "6g",
                "spark.executorEnv.OMP_NUM_THREADS": "4",
            },
            # A standalone master's shared secret, from an Airflow Variable (masked in logs and the UI: its
            # name says "secret"); the driver reads it from the environment, never from a file or argument.
            # YARN and Kubernetes make one per application: leave the Variable unset there.
            env_vars={"FUSIONPIPE_SPARK_AUTH_SECRET": "{{ var.value.get('fusionpipe_spark_auth_secret', '') }}"},
            executor_cores=4,
            executor_memory="8g",
            num_executors=2,
            driver_memory="4g",
            retries=0 if step == "promote" else 2,
        )
        if previous is not None:
            previous >> task
        previous = task
