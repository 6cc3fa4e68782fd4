-- Run once by the postgres container on an empty volume: one database per subgraph.
CREATE DATABASE mes_production;
CREATE DATABASE mes_quality;
CREATE DATABASE mes_equipment;
CREATE DATABASE mes_shifts;
CREATE DATABASE mes_inventory;
