"""Airflow DAG: Fusionpipe's nightly retraining on a Spark cluster through SparkSubmitOperator.

One task runs `fusionpipe nightly` (ingest in append mode -> train from the champion -> eval -> report ->
promote) with the app job jar, which carries every stage. The run is idempotent per date (it continues
after a crash), so Airflow's retries are safe; exit code 3 (regression) fails the task on purpose.
Needs apache-airflow-providers-apache-spark and a `spark_default` connection to the cluster.
"""
import zipfile
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

FUSIONPIPE = "/opt/fusionpipe"
VERSION = "0.1.0-SNAPSHOT"
JAR = f"{FUSIONPIPE}/jars/pipeline-app-{VERSION}-job.jar"


def jvm_flags(jar):
    """Java 17 add-opens + Aeron timeout: jvm.flags of io/fusionpipe/build.properties inside every job jar."""
    with zipfile.ZipFile(jar) as z:
        for line in z.read("io/fusionpipe/build.properties").decode("utf-8").splitlines():
            if line.startswith("jvm.flags="):
                return line[len("jvm.flags="):].strip()
    raise ValueError(f"{jar} has no jvm.flags in io/fusionpipe/build.properties")


JVM_FLAGS = jvm_flags(JAR)

with DAG(
    dag_id="fusionpipe_nightly",
    schedule="30 2 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=15)},
    tags=["fusionpipe"],
) as dag:
    nightly = SparkSubmitOperator(
        task_id="nightly",
        conn_id="spark_default",
        application=JAR,
        java_class="io.fusionpipe.cli.Fusionpipe",
        name="fusionpipe-nightly",
        application_args=[
            "nightly", "--date", "{{ ds }}",
            "--config", f"{FUSIONPIPE}/conf/cluster.conf", "--config", f"{FUSIONPIPE}/conf/nightly.conf",
        ],
        conf={
            "spark.driver.extraJavaOptions": JVM_FLAGS,
            "spark.executor.extraJavaOptions": JVM_FLAGS,
            "spark.executor.memoryOverhead": "6g",
            "spark.executorEnv.OMP_NUM_THREADS": "4",
        },
        executor_cores=4,
        executor_memory="8g",
        num_executors=2,
        driver_memory="4g",
    )
