//! `issuePrescription`: a structured prescription, signed and sealed at
//! once, with its SMS summary sent to the patient.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use subgraph_kit::graphql::{allow, uuid};

use super::{
    objects::Document,
    services,
    signing::{SignatureInput, signing_of},
};
use crate::domain::prescriptions::{self, Medicine, Prescription};

/// One medicine.
#[derive(InputObject)]
pub struct MedicineInput {
    /// Name and strength (`Amoxicillin 500 mg`).
    pub name: String,
    /// How much at a time (`1 capsule`).
    pub dose: String,
    /// How often (`3 times a day`).
    pub frequency: String,
    /// For how many days.
    pub duration_days: u32,
    /// How to take it (`after food`).
    pub instructions: Option<String>,
}

/// A prescription.
#[derive(InputObject)]
pub struct IssuePrescriptionInput {
    /// The patient.
    pub patient_id: ID,
    /// The appointment it was written in.
    pub appointment_id: Option<ID>,
    /// The diagnosis.
    pub diagnosis: Option<String>,
    /// The medicines (1 to 30).
    pub medicines: Vec<MedicineInput>,
    /// Notes for the patient or the pharmacist.
    pub notes: Option<String>,
    /// The prescriber's signature.
    pub signature: SignatureInput,
}

/// An issued prescription.
#[derive(SimpleObject)]
pub struct IssuedPrescription {
    /// The signed and sealed document.
    pub document: Document,
    /// What the patient's SMS says (at most 320 characters).
    pub sms_summary: String,
}

/// Prescription mutations.
#[derive(Default)]
pub struct PrescriptionMutation;

#[Object]
impl PrescriptionMutation {
    /// Issues a prescription: rendered with the tenant's `prescription`
    /// template, signed by you and sealed, and summed up for the patient
    /// by SMS (through their notification preferences).
    async fn issue_prescription(
        &self,
        ctx: &Context<'_>,
        input: IssuePrescriptionInput,
    ) -> Result<IssuedPrescription> {
        let a = allow(ctx, "prescription", "issue").await?;
        let p = Prescription {
            patient_id: uuid("patientId", &input.patient_id)?,
            appointment_id: input.appointment_id.as_ref().map(|i| uuid("appointmentId", i)).transpose()?,
            diagnosis: input.diagnosis,
            medicines: input
                .medicines
                .into_iter()
                .map(|m| Medicine {
                    name: m.name,
                    dose: m.dose,
                    frequency: m.frequency,
                    duration_days: m.duration_days,
                    instructions: m.instructions,
                })
                .collect(),
            notes: input.notes,
        };
        let signing = signing_of(ctx, a.caller.user_id, 1, input.signature)?;
        let (doc, sms_summary) =
            prescriptions::issue(services(ctx)?, a.caller.tenant_id, a.caller.user_id, p, signing).await?;
        Ok(IssuedPrescription { document: doc.into(), sms_summary })
    }
}
