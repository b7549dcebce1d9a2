package dev.strata.parse;

/** The OCSF 1.3.0 classes strata emits, with their category. type_uid = class_uid * 100 + activity_id. */
public enum OcsfClass {
  BASE_EVENT(0, "Base Event", 0, "Uncategorized"),
  FILE_SYSTEM_ACTIVITY(1001, "File System Activity", 1, "System Activity"),
  PROCESS_ACTIVITY(1007, "Process Activity", 1, "System Activity"),
  VULNERABILITY_FINDING(2002, "Vulnerability Finding", 2, "Findings"),
  COMPLIANCE_FINDING(2003, "Compliance Finding", 2, "Findings"),
  DETECTION_FINDING(2004, "Detection Finding", 2, "Findings"),
  ACCOUNT_CHANGE(3001, "Account Change", 3, "Identity & Access Management"),
  AUTHENTICATION(3002, "Authentication", 3, "Identity & Access Management"),
  NETWORK_ACTIVITY(4001, "Network Activity", 4, "Network Activity"),
  HTTP_ACTIVITY(4002, "HTTP Activity", 4, "Network Activity"),
  DEVICE_INVENTORY_INFO(5001, "Device Inventory Info", 5, "Discovery"),
  API_ACTIVITY(6003, "API Activity", 6, "Application Activity");

  public final int uid;
  public final String className;
  public final int categoryUid;
  public final String categoryName;

  OcsfClass(int uid, String className, int categoryUid, String categoryName) {
    this.uid = uid;
    this.className = className;
    this.categoryUid = categoryUid;
    this.categoryName = categoryName;
  }

  public long typeUid(int activityId) {
    return uid * 100L + activityId;
  }

  /** OCSF API Activity activity ids. */
  public static final int ACTIVITY_UNKNOWN = 0;
  public static final int ACTIVITY_CREATE = 1;
  public static final int ACTIVITY_READ = 2;
  public static final int ACTIVITY_UPDATE = 3;
  public static final int ACTIVITY_DELETE = 4;
  public static final int ACTIVITY_OTHER = 99;

  /** OCSF name of an API Activity activity id ({@code Other} and unknown ids: null, the parser names them). */
  public static String apiActivityName(int activityId) {
    switch (activityId) {
      case ACTIVITY_UNKNOWN:
        return "Unknown";
      case ACTIVITY_CREATE:
        return "Create";
      case ACTIVITY_READ:
        return "Read";
      case ACTIVITY_UPDATE:
        return "Update";
      case ACTIVITY_DELETE:
        return "Delete";
      default:
        return "Other";
    }
  }
}
