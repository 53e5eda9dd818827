"""The cluster's node configuration (no JVM started)."""
from __future__ import annotations

from devtools.broker.cluster import LocalCluster


def _props(node) -> dict[str, str]:
    return dict(line.split("=", 1) for line in node._properties().splitlines() if line)


def test_three_nodes_share_one_quorum_and_cluster_id_with_distinct_ports_and_dirs(tmp_path):
    c = LocalCluster(data_dir=tmp_path, size=3)
    c._build()
    props = [_props(n) for n in c.nodes]
    assert [p["node.id"] for p in props] == ["1", "2", "3"]
    assert len({p["controller.quorum.voters"] for p in props}) == 1
    voters = props[0]["controller.quorum.voters"].split(",")
    assert [v.split("@")[0] for v in voters] == ["1", "2", "3"]
    assert len({n.cluster_id for n in c.nodes}) == 1 and c.nodes[0].cluster_id
    ports = [n.port for n in c.nodes] + [n.controller_port for n in c.nodes]
    assert len(set(ports)) == 6
    assert len({p["log.dirs"] for p in props}) == 3
    for p in props:
        assert p["process.roles"] == "broker,controller"
        assert p["offsets.topic.replication.factor"] == "3"
        assert p["transaction.state.log.min.isr"] == "2"


def test_a_rebuilt_cluster_keeps_its_id_and_ports(tmp_path):
    a = LocalCluster(data_dir=tmp_path, size=3)
    a._build()
    b = LocalCluster(data_dir=tmp_path, size=3)
    b._build()
    assert [(n.port, n.controller_port, n.cluster_id) for n in a.nodes] == \
           [(n.port, n.controller_port, n.cluster_id) for n in b.nodes]


def test_one_node_cluster_keeps_single_replica_internals(tmp_path):
    c = LocalCluster(data_dir=tmp_path, size=1)
    c._build()
    p = _props(c.nodes[0])
    assert p["offsets.topic.replication.factor"] == "1" and p["transaction.state.log.min.isr"] == "1"
