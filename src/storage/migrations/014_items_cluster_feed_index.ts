// "Has feed F an item in cluster C yet?" (ClustersRepo.feedClusters) is asked for every new item that could
// join a story. On an index of cluster_id alone it read every item of the cluster, each from its row, to see its
// feed: a story carried by thousands of feeds (or thousands of feeds carrying the same text) cost a scan of
// them per new item. Indexed by (cluster_id, feed_id) it is one lookup. It replaces the index on cluster_id
// alone, which it begins with, so every read by cluster keeps its index and writes keep the same count.
import { type Kysely, type Migration } from 'kysely';

export function itemsClusterFeedIndexMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.createIndex('items_cluster_feed').on('items').columns(['cluster_id', 'feed_id']).execute();
      await db.schema.dropIndex('items_cluster').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.createIndex('items_cluster').on('items').column('cluster_id').execute();
      await db.schema.dropIndex('items_cluster_feed').execute();
    },
  };
}
