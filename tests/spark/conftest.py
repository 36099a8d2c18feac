"""The Spark sessions of the hfbatch.spark tests (PySpark from .venv, Java 17 on the machine): every test runs
twice, on a classic local[2] session and through Spark Connect (the client of Databricks shared clusters and
serverless) against a local Spark Connect server that this file starts on the loopback interface and stops."""
import os
import pathlib
import socket
import subprocess
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = ROOT / "build" / "bin" / "hfbatch"
FIXTURES = ROOT / "tests" / "fixtures" / "models"
CONNECT_START_S = 180   # the server must accept connections within this
CONNECT_STOP_S = 30     # then SIGTERM; SIGKILL after this

# The settings both kinds of session get (the connect server takes them as --conf).
CONF = {
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.maxRecordsPerBatch": "7",
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.driver.memory": "1g",
    "spark.python.worker.reuse": "true",
}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _accepts(port):
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _classic():
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master("local[2]").appName("hfbatch-tests")
    for k, v in CONF.items():
        builder = builder.config(k, v)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session, session.stop


def _connect(log_dir):
    """A Spark Connect server (pyspark's spark-submit, class SparkConnectServer, master local[2]) bound to
    127.0.0.1 on a free port, and a session connected to it; the stop function ends both."""
    import pyspark
    from pyspark.sql import SparkSession

    port = _free_port()
    submit = pathlib.Path(pyspark.__file__).parent / "bin" / "spark-submit"
    argv = ["bash", str(submit), "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
            "--master", "local[2]", "--name", "hfbatch-tests-connect",
            "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
            "--conf", f"spark.connect.grpc.binding.port={port}",
            "--conf", "spark.driver.bindAddress=127.0.0.1", "--conf", "spark.driver.host=127.0.0.1"]
    for k, v in CONF.items():
        argv += ["--conf", f"{k}={v}"]
    log = log_dir / "connect-server.log"
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, SPARK_LOCAL_IP="127.0.0.1")
    env.pop("SPARK_REMOTE", None)
    with open(log, "wb") as f:
        server = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT, env=env, start_new_session=True)

    def stop_server():
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(CONNECT_STOP_S)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

    deadline = time.monotonic() + CONNECT_START_S
    while not _accepts(port):
        if server.poll() is not None or time.monotonic() > deadline:
            stop_server()
            tail = log.read_text(errors="replace")[-3000:]
            pytest.fail(f"Spark Connect server did not start on 127.0.0.1:{port} within {CONNECT_START_S} s "
                        f"(exit {server.returncode}); {log}:\n{tail}")
        time.sleep(0.5)
    session = SparkSession.builder.remote(f"sc://127.0.0.1:{port}").getOrCreate()

    def stop():
        try:
            session.stop()
        finally:
            stop_server()

    return session, stop


@pytest.fixture(scope="session", params=["local", "connect"])
def spark(request, tmp_path_factory):
    # Workers run the same interpreter (the one hfbatch is installed in).
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    if request.param == "local":
        session, stop = _classic()
    else:
        session, stop = _connect(tmp_path_factory.mktemp("connect"))
    yield session
    stop()


def is_connect(session):
    return type(session).__module__.startswith("pyspark.sql.connect")
