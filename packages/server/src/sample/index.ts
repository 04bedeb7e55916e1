// Sample OVN NB / Open_vSwitch data and churn generators.
export {};
