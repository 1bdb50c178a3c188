-- The client that created a project (its address as the server groups
-- it: an IPv4 address or an IPv6 /64) and, for IPv6, the /48 around it,
-- so that one client cannot hold every live project the server allows.
ALTER TABLE projects ADD COLUMN client TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN client_net TEXT NOT NULL DEFAULT '';
CREATE INDEX projects_client ON projects (client);
CREATE INDEX projects_client_net ON projects (client_net);
