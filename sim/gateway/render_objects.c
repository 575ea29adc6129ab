/* Gateway objects as JSON (see render.h). Field sets follow the 3.x fixtures in tests/fixtures;
 * 4.x/5.x-only NVMe fields (nqn, hostType, nsid, sdtId, ...) are left out. */
#include <config.h>
#include "migrate.h"
#include "render.h"

#include <stdlib.h>

static void link_set(sim_jw *w, const char *const *pairs)
{
    sim_jw_links(w, pairs);
}

void sim_render_volume(sim_jw *w, struct sim_model *m, const struct sim_volume *v)
{
    char *self = sim_fmt("/api/instances/Volume::%s", v->id);
    char *stats = sim_fmt("%s/relationships/Statistics", self);
    char *vt = sim_fmt("/api/instances/VTree::%s", v->vtree->id);
    char *sp = sim_fmt("/api/instances/StoragePool::%s", v->vtree->pool->id);
    const char *links[] = {"self",
                           self,
                           "/api/Volume/relationship/Statistics",
                           stats,
                           "/api/parent/relationship/vtreeId",
                           vt,
                           "/api/parent/relationship/storagePoolId",
                           sp,
                           NULL,
                           NULL};
    (void)m;
    sim_jw_obj(w);
    sim_jw_kstr(w, "managedBy", "ScaleIO");
    sim_jw_kint(w, "originalExpiryTime", 0);
    sim_jw_key(w, "retentionLevels");
    sim_jw_arr(w);
    sim_jw_arr_end(w);
    sim_jw_knull(w, "snplIdOfSourceVolume");
    sim_jw_kstr(w, "volumeReplicationState", "UnmarkedForReplication");
    sim_jw_key(w, "mappedSdcInfo");
    if (!v->nmaps) {
        sim_jw_null(w);
    } else {
        sim_jw_arr(w);
        for (size_t i = 0; i < v->nmaps; i++) {
            const struct sim_mapping *mp = &v->maps[i];
            sim_jw_obj(w);
            sim_jw_kint(w, "limitIops", mp->iops);
            sim_jw_kint(w, "limitBwInMbps", mp->bw_kbps / 1024);
            sim_jw_kbool(w, "isDirectBufferMapping", false);
            sim_jw_kstr(w, "sdcId", mp->sdc->id);
            sim_jw_kstr(w, "sdcIp", mp->sdc->ip);
            sim_jw_kstr(w, "sdcName", mp->sdc->name);
            sim_jw_kstr(w, "accessMode", mp->access);
            sim_jw_obj_end(w);
        }
        sim_jw_arr_end(w);
    }
    sim_jw_kbool(w, "replicationJournalVolume", false);
    sim_jw_kint(w, "replicationTimeStamp", 0);
    sim_jw_kstr(w, "name", v->name[0] ? v->name : NULL);
    sim_jw_kint(w, "creationTime", v->created);
    sim_jw_kstr(w, "storagePoolId", v->vtree->pool->id);
    sim_jw_kstr(w, "dataLayout", "MediumGranularity");
    sim_jw_kstr(w, "compressionMethod", "NotApplicable");
    sim_jw_kstr(w, "vtreeId", v->vtree->id);
    sim_jw_kint(w, "sizeInKb", (int64_t)v->size_kb);
    sim_jw_kstr(w, "volumeClass", "defaultclass");
    sim_jw_kstr(w, "accessModeLimit", v->access_limit);
    sim_jw_knull(w, "pairIds");
    sim_jw_kstr(w, "volumeType", sim_vtype_name(v->type));
    sim_jw_kstr(w, "consistencyGroupId", v->group[0] ? v->group : NULL);
    sim_jw_kstr(w, "ancestorVolumeId", v->ancestor[0] ? v->ancestor : NULL);
    sim_jw_kbool(w, "notGenuineSnapshot", false);
    sim_jw_kint(w, "secureSnapshotExpTime", 0);
    sim_jw_kbool(w, "useRmcache", false);
    sim_jw_knull(w, "snplIdOfAutoSnapshot");
    sim_jw_kbool(w, "lockedAutoSnapshot", false);
    sim_jw_kbool(w, "lockedAutoSnapshotMarkedForRemoval", false);
    sim_jw_knull(w, "autoSnapshotGroupId");
    sim_jw_kbool(w, "timeStampIsAccurate", false);
    sim_jw_kbool(w, "mappingToAllSdcsEnabled", v->map_all);
    sim_jw_kbool(w, "isObfuscated", false);
    sim_jw_kstr(w, "id", v->id);
    link_set(w, links);
    sim_jw_obj_end(w);
    free(self);
    free(stats);
    free(vt);
    free(sp);
}

void sim_render_vtree(sim_jw *w, struct sim_model *m, const struct sim_vtree *t)
{
    char *self = sim_fmt("/api/instances/VTree::%s", t->id);
    char *stats = sim_fmt("%s/relationships/Statistics", self);
    char *vols = sim_fmt("%s/relationships/Volume", self);
    char *sp = sim_fmt("/api/instances/StoragePool::%s", t->pool->id);
    const char *links[] = {"self",
                           self,
                           "/api/VTree/relationship/Statistics",
                           stats,
                           "/api/VTree/relationship/Volume",
                           vols,
                           "/api/parent/relationship/storagePoolId",
                           sp,
                           NULL,
                           NULL};
    const struct sim_volume *root = sim_find_volume(m, t->root_id);
    sim_jw_obj(w);
    sim_jw_kstr(w, "name", root && root->name[0] ? root->name : NULL);
    sim_jw_kstr(w, "storagePoolId", t->pool->id);
    sim_jw_kstr(w, "baseVolumeId", t->root_id[0] ? t->root_id : NULL);
    sim_jw_key(w, "rootVolumes");
    sim_jw_arr(w);
    if (t->root_id[0])
        sim_jw_str(w, t->root_id);
    sim_jw_arr_end(w);
    sim_jw_kstr(w, "dataLayout", "MediumGranularity");
    sim_jw_kstr(w, "compressionMethod", "Invalid");
    sim_jw_kbool(w, "inDeletion", t->removing_until > sim_now_ms());
    sim_jw_key(w, "vtreeMigrationInfo");
    sim_jw_obj(w);
    /* A rollback moves the V-Tree back: from the destination to where it started. */
    {
        const struct sim_pool *from = t->mig_rollback ? t->mig_dest : t->mig_src;
        const struct sim_pool *to = t->mig_rollback ? t->mig_src : t->mig_dest;
        sim_jw_kstr(w, "sourceStoragePoolId", from ? from->id : NULL);
        sim_jw_kstr(w, "destinationStoragePoolId", to ? to->id : NULL);
    }
    sim_jw_kstr(w, "migrationStatus", sim_migrate_status(t));
    sim_jw_kstr(w, "migrationPauseReason", t->mig_pause_reason[0] ? t->mig_pause_reason : NULL);
    sim_jw_kint(w, "migrationQueuePosition", sim_migrate_queue_position(m, t));
    sim_jw_kstr(w, "thicknessConversionType",
                t->mig_conv == SIM_CONV_THICK_TO_THIN   ? "ThickToThin"
                : t->mig_conv == SIM_CONV_THIN_TO_THICK ? "ThinToThick"
                                                        : "NoConversion");
    sim_jw_obj_end(w);
    sim_jw_kstr(w, "id", t->id);
    link_set(w, links);
    sim_jw_obj_end(w);
    free(self);
    free(stats);
    free(vols);
    free(sp);
}

void sim_render_pool(sim_jw *w, struct sim_model *m, const struct sim_pool *p)
{
    char *self = sim_fmt("/api/instances/StoragePool::%s", p->id);
    char *stats = sim_fmt("%s/relationships/Statistics", self);
    char *vols = sim_fmt("%s/relationships/Volume", self);
    char *devs = sim_fmt("%s/relationships/Device", self);
    char *vtrees = sim_fmt("%s/relationships/VTree", self);
    char *pd = sim_fmt("/api/instances/ProtectionDomain::%s", p->pd->id);
    const char *links[] = {"self",
                           self,
                           "/api/StoragePool/relationship/Statistics",
                           stats,
                           "/api/StoragePool/relationship/Volume",
                           vols,
                           "/api/StoragePool/relationship/Device",
                           devs,
                           "/api/StoragePool/relationship/VTree",
                           vtrees,
                           "/api/parent/relationship/protectionDomainId",
                           pd,
                           NULL,
                           NULL};
    sim_jw_obj(w);
    sim_jw_knull(w, "rebalanceIoPriorityAppBwPerDeviceThresholdInKbps");
    sim_jw_knull(w, "rebuildIoPriorityAppBwPerDeviceThresholdInKbps");
    sim_jw_knull(w, "rebalanceIoPriorityAppIopsPerDeviceThreshold");
    sim_jw_kbool(w, "useRmcache", false);
    sim_jw_knull(w, "rebuildIoPriorityQuietPeriodInMsec");
    sim_jw_knull(w, "rebalanceIoPriorityQuietPeriodInMsec");
    sim_jw_kint(w, "rebuildIoPriorityNumOfConcurrentIosPerDevice", 1);
    sim_jw_kbool(w, "zeroPaddingEnabled", true);
    sim_jw_kstr(w, "backgroundScannerMode", "Disabled");
    sim_jw_kstr(w, "rebalanceIoPriorityPolicy", "favorAppIos");
    sim_jw_kstr(w, "protectionDomainId", p->pd->id);
    sim_jw_kint(w, "backgroundScannerBWLimitKBps", 0);
    sim_jw_kint(w, "rebuildIoPriorityBwLimitPerDeviceInKbps", 10240);
    sim_jw_kint(w, "sparePercentage", m->spare_pct);
    sim_jw_kstr(w, "rmcacheWriteHandlingMode", "Cached");
    sim_jw_kbool(w, "checksumEnabled", false);
    sim_jw_kbool(w, "useRfcache", false);
    sim_jw_kbool(w, "rebuildEnabled", true);
    sim_jw_kbool(w, "rebalanceEnabled", true);
    sim_jw_kint(w, "numOfParallelRebuildRebalanceJobsPerDevice", 2);
    sim_jw_kint(w, "capacityAlertHighThreshold", 80);
    sim_jw_kint(w, "capacityAlertCriticalThreshold", 90);
    sim_jw_knull(w, "rebuildIoPriorityAppIopsPerDeviceThreshold");
    sim_jw_kint(w, "rebalanceIoPriorityNumOfConcurrentIosPerDevice", 1);
    sim_jw_kint(w, "rebalanceIoPriorityBwLimitPerDeviceInKbps", 10240);
    sim_jw_kstr(w, "rebuildIoPriorityPolicy", "limitNumOfConcurrentIos");
    sim_jw_kstr(w, "dataLayout", "MediumGranularity");
    sim_jw_kstr(w, "mediaType", "HDD");
    sim_jw_kbool(w, "persistentChecksumEnabled", false);
    sim_jw_kstr(w, "compressionMethod", "Invalid");
    sim_jw_kstr(w, "name", p->name);
    sim_jw_kstr(w, "id", p->id);
    link_set(w, links);
    sim_jw_obj_end(w);
    free(self);
    free(stats);
    free(vols);
    free(devs);
    free(vtrees);
    free(pd);
}

void sim_render_pd(sim_jw *w, struct sim_model *m, const struct sim_pd *pd)
{
    char *self = sim_fmt("/api/instances/ProtectionDomain::%s", pd->id);
    char *stats = sim_fmt("%s/relationships/Statistics", self);
    char *pools = sim_fmt("%s/relationships/StoragePool", self);
    char *sds = sim_fmt("%s/relationships/Sds", self);
    char *sys = sim_fmt("/api/instances/System::%s", m->system_id);
    const char *links[] = {"self",
                           self,
                           "/api/ProtectionDomain/relationship/Statistics",
                           stats,
                           "/api/ProtectionDomain/relationship/StoragePool",
                           pools,
                           "/api/ProtectionDomain/relationship/Sds",
                           sds,
                           "/api/parent/relationship/systemId",
                           sys,
                           NULL,
                           NULL};
    sim_jw_obj(w);
    sim_jw_kstr(w, "systemId", m->system_id);
    sim_jw_kstr(w, "protectionDomainState", "Active");
    sim_jw_kbool(w, "rebuildNetworkThrottlingEnabled", false);
    sim_jw_kbool(w, "rebalanceNetworkThrottlingEnabled", false);
    sim_jw_kbool(w, "overallIoNetworkThrottlingEnabled", false);
    sim_jw_kbool(w, "rfcacheEnabled", true);
    sim_jw_kstr(w, "name", pd->name);
    sim_jw_kstr(w, "id", pd->id);
    link_set(w, links);
    sim_jw_obj_end(w);
    free(self);
    free(stats);
    free(pools);
    free(sds);
    free(sys);
}

static void counter_window(sim_jw *w, const char *k, int s, int m_, int l)
{
    static const char *const names[] = {"shortWindow", "mediumWindow", "longWindow"};
    const int thr[] = {s, m_, l}, win[] = {60, 3600, 86400};
    sim_jw_key(w, k);
    sim_jw_obj(w);
    for (int i = 0; i < 3; i++) {
        sim_jw_key(w, names[i]);
        sim_jw_obj(w);
        sim_jw_kint(w, "threshold", thr[i]);
        sim_jw_kint(w, "windowSizeInSec", win[i]);
        sim_jw_obj_end(w);
    }
    sim_jw_obj_end(w);
}

static void mdm_node(sim_jw *w, const char *ip, const char *id, const char *role, bool status)
{
    sim_jw_obj(w);
    sim_jw_kstr(w, "versionInfo", SIM_SW_VERSION);
    sim_jw_key(w, "managementIPs");
    sim_jw_arr(w);
    sim_jw_str(w, ip);
    sim_jw_arr_end(w);
    sim_jw_key(w, "ips");
    sim_jw_arr(w);
    sim_jw_str(w, ip);
    sim_jw_arr_end(w);
    sim_jw_kstr(w, "opensslVersion", "OpenSSL 1.0.2k-fips  26 Jan 2017");
    sim_jw_kstr(w, "role", role);
    if (status)
        sim_jw_kstr(w, "status", "Normal");
    sim_jw_kstr(w, "name", ip);
    sim_jw_kstr(w, "id", id);
    sim_jw_kint(w, "port", 9011);
    sim_jw_obj_end(w);
}

void sim_render_system(sim_jw *w, struct sim_model *m)
{
    char *self = sim_fmt("/api/instances/System::%s", m->system_id);
    char *stats = sim_fmt("%s/relationships/Statistics", self);
    char *pds = sim_fmt("%s/relationships/ProtectionDomain", self);
    char *sdcs = sim_fmt("%s/relationships/Sdc", self);
    char *users = sim_fmt("%s/relationships/User", self);
    const char *links[] = {"self",
                           self,
                           "/api/System/relationship/Statistics",
                           stats,
                           "/api/System/relationship/ProtectionDomain",
                           pds,
                           "/api/System/relationship/Sdc",
                           sdcs,
                           "/api/System/relationship/User",
                           users,
                           NULL,
                           NULL};
    sim_jw_obj(w);
    sim_jw_kstr(w, "perfProfile", "Default");
    sim_jw_kstr(w, "installId", m->system_id);
    sim_jw_kstr(w, "name", m->system_name);
    sim_jw_kstr(w, "systemVersionName", "DellEMC PowerFlex Version: " SIM_SW_VERSION);
    sim_jw_kint(w, "capacityAlertHighThresholdPercent", 80);
    sim_jw_kint(w, "capacityAlertCriticalThresholdPercent", 90);
    sim_jw_kstr(w, "upgradeState", "NoUpgrade");
    sim_jw_kbool(w, "remoteReadOnlyLimitState", false);
    sim_jw_kint(w, "mdmManagementPort", 6611);
    counter_window(w, "sdcMdmNetworkDisconnectionsCounterParameters", 300, 500, 700);
    counter_window(w, "sdcSdsNetworkDisconnectionsCounterParameters", 800, 4000, 20000);
    counter_window(w, "sdcMemoryAllocationFailuresCounterParameters", 300, 500, 700);
    counter_window(w, "sdcSocketAllocationFailuresCounterParameters", 300, 500, 700);
    counter_window(w, "sdcLongOperationsCounterParameters", 10000, 100000, 1000000);
    sim_jw_kbool(w, "cliPasswordAllowed", true);
    sim_jw_kbool(w, "managementClientSecureCommunicationEnabled", true);
    sim_jw_kstr(w, "tlsVersion", "TLSv1.2");
    sim_jw_kbool(w, "showGuid", true);
    sim_jw_kstr(w, "authenticationMethod", "Native");
    sim_jw_kstr(w, "mdmToSdsPolicy", "None");
    sim_jw_key(w, "mdmCluster");
    sim_jw_obj(w);
    sim_jw_kstr(w, "clusterState", "ClusteredNormal");
    sim_jw_kstr(w, "clusterMode", "ThreeNodes");
    sim_jw_key(w, "master");
    mdm_node(w, m->mdm_ips[0], "0873f5bd5c3dd9a1", "Manager", false);
    sim_jw_key(w, "slaves");
    sim_jw_arr(w);
    mdm_node(w, m->mdm_ips[1], "7e521a811a247d11", "Manager", true);
    sim_jw_arr_end(w);
    sim_jw_key(w, "tieBreakers");
    sim_jw_arr(w);
    mdm_node(w, m->mdm_ips[2], "4542577337090b83", "TieBreaker", true);
    sim_jw_arr_end(w);
    sim_jw_kint(w, "goodNodesNum", 3);
    sim_jw_kint(w, "goodReplicasNum", 2);
    sim_jw_kstr(w, "id", m->system_id);
    sim_jw_kstr(w, "name", m->system_name);
    sim_jw_obj_end(w);
    sim_jw_key(w, "sdcSdsConnectivityInfo");
    sim_jw_obj(w);
    sim_jw_kstr(w, "sdcSdsConnectivityStatus", "AllConnected");
    sim_jw_knull(w, "disconnectedSdcId");
    sim_jw_knull(w, "disconnectedSdcName");
    sim_jw_knull(w, "disconnectedSdsId");
    sim_jw_knull(w, "disconnectedSdsName");
    sim_jw_knull(w, "disconnectedSdsIp");
    sim_jw_obj_end(w);
    sim_jw_kstr(w, "swid", "");
    sim_jw_kbool(w, "defaultIsVolumeObfuscated", false);
    sim_jw_kint(w, "daysInstalled", (sim_wall_s() - m->install_time) / 86400);
    sim_jw_kbool(w, "restrictedSdcModeEnabled", false);
    sim_jw_kstr(w, "restrictedSdcMode", "None");
    sim_jw_kstr(w, "maxCapacityInGb", "Unlimited");
    sim_jw_kstr(w, "capacityTimeLeftInDays", "Unlimited");
    sim_jw_kbool(w, "enterpriseFeaturesEnabled", true);
    sim_jw_kbool(w, "isInitialLicense", true);
    sim_jw_kstr(w, "id", m->system_id);
    link_set(w, links);
    sim_jw_obj_end(w);
    free(self);
    free(stats);
    free(pds);
    free(sdcs);
    free(users);
}

void sim_render_sdc(sim_jw *w, struct sim_model *m, const struct sim_sdc *s)
{
    char *self = sim_fmt("/api/instances/Sdc::%s", s->id);
    char *stats = sim_fmt("%s/relationships/Statistics", self);
    char *vols = sim_fmt("%s/relationships/Volume", self);
    char *sys = sim_fmt("/api/instances/System::%s", m->system_id);
    const char *links[] = {"self",
                           self,
                           "/api/Sdc/relationship/Statistics",
                           stats,
                           "/api/Sdc/relationship/Volume",
                           vols,
                           "/api/parent/relationship/systemId",
                           sys,
                           NULL,
                           NULL};
    sim_jw_obj(w);
    sim_jw_knull(w, "hostOsFullType");
    sim_jw_kstr(w, "systemId", m->system_id);
    sim_jw_kstr(w, "name", s->name);
    sim_jw_kstr(w, "mdmConnectionState", sim_sdc_online(s) ? "Connected" : "Disconnected");
    sim_jw_kstr(w, "softwareVersionInfo", SIM_SW_VERSION);
    sim_jw_knull(w, "peerMdmId");
    sim_jw_kbool(w, "sdcApproved", true);
    sim_jw_kbool(w, "sdcAgentActive", false);
    sim_jw_kbool(w, "mdmIpAddressesCurrent", false);
    sim_jw_kstr(w, "sdcIp", s->ip);
    sim_jw_key(w, "sdcIps");
    sim_jw_arr(w);
    sim_jw_str(w, s->ip);
    sim_jw_arr_end(w);
    sim_jw_kstr(w, "osType", "Linux");
    sim_jw_kstr(w, "perfProfile", "HighPerformance");
    sim_jw_knull(w, "socketAllocationFailure");
    sim_jw_knull(w, "memoryAllocationFailure");
    sim_jw_kstr(w, "versionInfo", SIM_SW_VERSION);
    sim_jw_kstr(w, "sdcType", "AppSdc");
    sim_jw_kstr(w, "sdcGuid", s->guid);
    sim_jw_kstr(w, "installedSoftwareVersionInfo", SIM_SW_VERSION);
    sim_jw_kstr(w, "kernelVersion", "5.10.0");
    sim_jw_knull(w, "kernelBuildNumber");
    sim_jw_knull(w, "sdcApprovedIps");
    sim_jw_kbool(w, "onVmWare", false);
    sim_jw_kstr(w, "id", s->id);
    link_set(w, links);
    sim_jw_obj_end(w);
    free(self);
    free(stats);
    free(vols);
    free(sys);
}
